import { beijingPlain } from "../beijing-time";

/** RFC 5987 leaves these unescaped though encodeURIComponent does not. */
const encodeRfc5987 = (value: string) =>
  encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `20240501-0930`: when the file was made, in Beijing time. */
function beijingStamp(now: Date): string {
  const plain = beijingPlain(now);
  return `${plain.slice(0, 10).replace(/-/g, "")}-${plain.slice(11, 13)}${plain.slice(14, 16)}`;
}

/**
 * `attachment; filename="refunds-20240501-0930.csv"; filename*=UTF-8''退款-20240501-0930.csv`: an ASCII name every
 * client understands, and the name in the reader's language for those that read RFC 6266's `filename*`.
 */
export function csvContentDisposition(asciiStem: string, localizedStem: string, now: Date): string {
  const stamp = beijingStamp(now);
  return `attachment; filename="${asciiStem}-${stamp}.csv"; filename*=UTF-8''${encodeRfc5987(`${localizedStem}-${stamp}.csv`)}`;
}
