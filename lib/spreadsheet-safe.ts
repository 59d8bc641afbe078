/** A plain number (amounts, counts, line numbers): shown as a number, never run. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * A CSV cell that a spreadsheet shows as text instead of running it: a cell beginning with `=`, `+`, `-`, `@`, a tab
 * or a carriage return is a formula to Excel and LibreOffice, so a leading apostrophe makes it plain text (OWASP's
 * advice against CSV injection). Every cell goes through here — `out_trade_no`, reasons and error messages come from
 * outside the console — except plain numbers, which no spreadsheet runs.
 */
export function spreadsheetSafe(value: unknown): string {
  const text = value === null || value === undefined ? "" : String(value);
  return /^[=+\-@\t\r]/.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** Every cell of a CSV record, made safe. */
export function spreadsheetSafeRecord(values: readonly unknown[]): string[] {
  return values.map(spreadsheetSafe);
}
