import { gte, lt, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { z } from "zod";
import { parseYuan } from "../../money";
import { beijingDayStart } from "../../beijing-time";

/** A `YYYY-MM-DD` day in a list's URL; anything else is dropped, not an error, so a shared URL still opens. */
export const dayParam = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .optional()
  .catch(undefined);

// Dates in the filters are days in Beijing time, where WeChat's merchants live.

/** `from` and `to` are both inclusive days; an impossible day (2024-02-31) is ignored rather than failing the query. */
export function beijingDayRange(column: AnyPgColumn, from: string | undefined, to: string | undefined): SQL[] {
  const conditions: SQL[] = [];
  const start = from ? beijingDayStart(from) : null;
  const end = to ? beijingDayStart(to) : null;
  if (start && !Number.isNaN(start.getTime())) conditions.push(gte(column, start));
  if (end && !Number.isNaN(end.getTime())) conditions.push(lt(column, new Date(end.getTime() + 86_400_000)));
  return conditions;
}

/** An ILIKE pattern matching `text` anywhere, with the user's own `%`, `_` and backslash taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A yuan amount typed into a filter (`12.5`, `¥1,000`), as fen; unreadable input is dropped like any invalid filter. */
export function yuanParamToFen(value: string | undefined): number | undefined {
  const parsed = value ? parseYuan(value) : undefined;
  return parsed?.ok ? parsed.value : undefined;
}
