import "server-only";
import { getLocale, getTranslations } from "next-intl/server";
import type { TimeFormat } from "@/components/date-time";

/** The reader's time format, once per page, for the `BeijingTime` of every row of a list. */
export async function timeFormat(): Promise<TimeFormat> {
  const [locale, t] = await Promise.all([getLocale(), getTranslations("components.dateTime")]);
  return { locale, title: t("beijing") };
}
