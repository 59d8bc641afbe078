/** A message an operator reads, in both languages the console speaks. */
export interface BilingualText {
  zh: string;
  en: string;
}

/** The text in the reader's language (`zh-CN` reads Chinese; everything else English). */
export function textIn(text: BilingualText, locale: string): string {
  return locale.startsWith("zh") ? text.zh : text.en;
}
