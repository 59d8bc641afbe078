import { createTranslator } from "use-intl/core";
import { loadMessages } from "../i18n/messages";
import { DEFAULT_LOCALE, isLocale, type Locale } from "./locale";
import { messageValues, type Message } from "./message";

type Translator = (key: string, values?: Record<string, string>) => string;

const translators = new Map<Locale, Translator>();

function translatorFor(locale: Locale): Translator {
  let t = translators.get(locale);
  if (!t) {
    t = createTranslator({ locale, messages: loadMessages(locale) }) as unknown as Translator;
    translators.set(locale, t);
  }
  return t;
}

/**
 * A message in words, where no page renders it: the merchant API's `message`/`message_zh`, CSV files, alerts. The
 * same catalogue (messages/<locale>/) and the same ICU formatting as next-intl on the pages.
 */
export function translate(message: Message, locale: Locale | string): string {
  return translatorFor(isLocale(locale) ? locale : DEFAULT_LOCALE)(message.key, messageValues(message));
}

/** Chinese, then English: for a group chat's robot, whose readers do not share one language. */
export function inBothLanguages(message: Message): string {
  return `${translate(message, "zh-CN")} / ${translate(message, "en")}`;
}
