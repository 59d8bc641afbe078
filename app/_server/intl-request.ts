import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { loadMessages } from "@/i18n/messages";
import { BEIJING_TIME_ZONE } from "@/lib/beijing-time";
import { LOCALE_COOKIE, pickLocale } from "@/lib/locale";
import { currentUser } from "./session";

/** next-intl's per-request configuration (next.config.mjs names this file): the user's language, Beijing time. */
export default getRequestConfig(async () => {
  const [user, cookieStore, headerList] = await Promise.all([currentUser(), cookies(), headers()]);
  const locale = pickLocale(user?.locale, cookieStore.get(LOCALE_COOKIE)?.value, headerList.get("accept-language"));
  return { locale, messages: loadMessages(locale), timeZone: BEIJING_TIME_ZONE };
});
