import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Locale } from "@/lib/locale";

export type Messages = Record<string, Record<string, unknown>>;

const loaded = new Map<Locale, Messages>();

/**
 * All messages of a locale: `messages/<locale>/<namespace>.json`, one file per area of the console, so that each
 * area's texts sit together. Read once per process. The paths are written out in full at each call so that the
 * build's file tracing sees they stay under `messages/` (a path built elsewhere makes it trace the whole project).
 */
export function loadMessages(locale: Locale): Messages {
  const cached = loaded.get(locale);
  if (cached) return cached;
  const messages: Messages = {};
  for (const file of readdirSync(path.join(process.cwd(), "messages", locale))
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    const text = readFileSync(path.join(process.cwd(), "messages", locale, file), "utf8");
    messages[file.slice(0, -".json".length)] = JSON.parse(text);
  }
  loaded.set(locale, messages);
  return messages;
}
