/** A message an operator reads, in both languages the console speaks. */
export interface BilingualText {
  zh: string;
  en: string;
}
