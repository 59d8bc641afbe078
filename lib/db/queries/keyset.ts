/**
 * Keyset cursors for lists ordered by (timestamp desc, id desc): stable at a million rows, unlike OFFSET.
 * A cursor is `<epoch-ms>.<id>`, opaque to the page but readable in a shared URL.
 */
export interface Cursor {
  at: Date;
  id: number;
}

export function encodeCursor(at: Date, id: number): string {
  return `${at.getTime()}.${id}`;
}

export function decodeCursor(value: string | undefined | null): Cursor | null {
  if (!value) return null;
  const match = /^(\d{1,15})\.(\d{1,18})$/.exec(value);
  if (!match) return null;
  const at = new Date(Number(match[1]));
  const id = Number(match[2]);
  if (Number.isNaN(at.getTime()) || !Number.isSafeInteger(id)) return null;
  return { at, id };
}
