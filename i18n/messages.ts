import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Locale } from "@/lib/locale";

export type Messages = Record<string, Record<string, unknown>>;

const loaded = new Map<Locale, Messages>();

/**
 * All messages of a locale: `messages/<locale>/<namespace>.json`, one file per area of the console, so that each
 * area's texts sit together. Read once per process.
 */
export function loadMessages(locale: Locale, root = path.join(process.cwd(), "messages")): Messages {
  const cached = loaded.get(locale);
  if (cached) return cached;
  const dir = path.join(root, locale);
  const messages: Messages = {};
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    messages[file.slice(0, -".json".length)] = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
  }
  loaded.set(locale, messages);
  return messages;
}
