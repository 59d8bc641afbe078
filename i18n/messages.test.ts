import { describe, expect, it } from "vitest";
import { LOCALES } from "@/lib/locale";
import { loadMessages } from "./messages";

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe("messages", () => {
  const [first, ...others] = LOCALES.map((locale) => ({ locale, keys: keys(loadMessages(locale)).sort() }));

  it("every language has every text", () => {
    for (const other of others) {
      expect({ locale: other.locale, missing: first!.keys.filter((k) => !other.keys.includes(k)) }).toEqual({
        locale: other.locale,
        missing: [],
      });
      expect({ locale: first!.locale, missing: other.keys.filter((k) => !first!.keys.includes(k)) }).toEqual({
        locale: first!.locale,
        missing: [],
      });
    }
  });

  it("no text is empty", () => {
    for (const locale of LOCALES) {
      const empty = keys(loadMessages(locale)).filter((k) => {
        const value = k
          .split(".")
          .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], loadMessages(locale));
        return typeof value !== "string" || value.trim() === "";
      });
      expect({ locale, empty }).toEqual({ locale, empty: [] });
    }
  });
});
