import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { currentUser } from "@/app/_server/session";
import { LOCALE_COOKIE, pickLocale } from "@/lib/locale";
import { loadMessages } from "./messages";

/** The console's times are Beijing time, as WeChat Pay's are. */
export const TIME_ZONE = "Asia/Shanghai";

export default getRequestConfig(async () => {
  const [user, cookieStore, headerList] = await Promise.all([currentUser(), cookies(), headers()]);
  const locale = pickLocale(user?.locale, cookieStore.get(LOCALE_COOKIE)?.value, headerList.get("accept-language"));
  return { locale, messages: loadMessages(locale), timeZone: TIME_ZONE };
});
