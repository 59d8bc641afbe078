import { err, ok, type Result } from "./result";

/** Largest amount the console accepts in one field: ¥100,000,000.00. WeChat's own limits are far below. */
export const MAX_FEN = 10_000_000_000;

export type YuanParseError = "EMPTY" | "FORMAT" | "TOO_MANY_DECIMALS" | "TOO_LARGE";

/**
 * Parse a yuan amount typed by a person ("19.99", "0.1", "1,234.5", "¥12") into integer fen, without floats:
 * the digits are split at the decimal point and joined as text.
 */
export function parseYuan(input: string): Result<number, YuanParseError> {
  const text = input
    .trim()
    .replace(/^[¥￥]\s*/, "")
    .replace(/,/g, "");
  if (text === "") return err("EMPTY");
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) return err("FORMAT");
  const [, whole = "", fraction = ""] = match;
  if (fraction.length > 2) return err("TOO_MANY_DECIMALS");
  if (whole.replace(/^0+/, "").length > 9) return err("TOO_LARGE");
  const fen = Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
  if (fen > MAX_FEN) return err("TOO_LARGE");
  return ok(fen);
}

/** `1234.56` style, for CSV and API consumers that want yuan with exactly two decimals. */
export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  const yuan = Math.trunc(abs / 100);
  const cents = abs % 100;
  return `${sign}${yuan}.${String(cents).padStart(2, "0")}`;
}

/** `¥1,234.56`: the one way amounts are shown to operators. */
export function formatFen(fen: number): string {
  const [whole = "0", cents = "00"] = fenToYuan(Math.abs(fen)).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${fen < 0 ? "-" : ""}¥${grouped}.${cents}`;
}
