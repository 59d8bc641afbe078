import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = process.cwd();

/** Every client component of the console ("use client" files under app/ and components/). */
function clientFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return walk(file);
      return /\.tsx?$/.test(entry.name) && !entry.name.includes(".test.") ? [file] : [];
    });
  return [...walk("app"), ...walk("components")].filter((file) =>
    /^\s*["']use client["']/.test(readFileSync(path.join(root, file), "utf8")),
  );
}

/** Modules a browser bundle must not take values from: the database layer (drizzle and the schema come along). */
const SERVER_ONLY = /^(@\/lib\/db(\/|$)|server-only$|node:)/;

describe("client components", () => {
  it.each(clientFiles())("%s imports only types from the database layer", (file) => {
    const text = readFileSync(path.join(root, file), "utf8");
    const valueImports = [...text.matchAll(/^import\s+(?!type\b)([^;]*?)\s+from\s+["']([^"']+)["']/gm)]
      .filter(([, names, source]) => SERVER_ONLY.test(source!) && !/^\{\s*(type\s+\w+\s*,?\s*)+\}$/.test(names!))
      .map(([, , source]) => source);
    expect(valueImports).toEqual([]);
  });
});
