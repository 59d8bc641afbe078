import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LOCALES } from "@/lib/locale";
import { CLIENT_NAMESPACES, clientMessages, pickMessages, type ClientArea } from "./client-messages";
import { loadMessages } from "./messages";

const root = process.cwd();

function files(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return files(relative);
    return /\.tsx?$/.test(entry.name) && !entry.name.includes(".test.") ? [relative] : [];
  });
}

/** The part of the console a client component belongs to: the deepest route folder above it with its own list. */
function areaOf(file: string): ClientArea | null {
  const [top, group, ...folders] = file.split(path.sep).slice(0, -1);
  if (top === "components") return null;
  if (group === "login") return "login";
  if (folders[0] === "_dashboard") return "dashboard";
  for (let depth = folders.length; depth > 0; depth--) {
    const area = folders.slice(0, depth).join("/");
    if (area in CLIENT_NAMESPACES && area !== "everywhere") return area as ClientArea;
  }
  throw new Error(`${file}: no client-messages area above it`);
}

/** Every area is given by a layout in its folder (or, for the home page and sign-in, by the page itself). */
function givenBy(area: ClientArea): string {
  if (area === "dashboard") return "app/(console)/page.tsx";
  if (area === "login") return "app/login/page.tsx";
  return `app/(console)/${area}/layout.tsx`;
}

const source = (file: string) => readFileSync(path.join(root, file), "utf8");

/** `useTranslations("ns")` in a file and in the shared components it imports (they render in the same browser). */
function namespacesUsed(file: string): string[] {
  const text = source(file);
  const imported = [...text.matchAll(/from "@\/components\/([\w-]+)"/g)].map((m) =>
    [".tsx", ".ts"].map((ext) => `components/${m[1]}${ext}`).find((f) => existsSync(path.join(root, f))),
  );
  return [file, ...imported.filter((f) => f !== undefined)].flatMap((f) => {
    const content = source(f);
    if (/useTranslations\(\)/.test(content)) throw new Error(`${f}: useTranslations() without a namespace`);
    return [...content.matchAll(/useTranslations\("([\w.]+)"\)/g)].map((m) => m[1]!);
  });
}

const clientFiles = ["app", "components"].flatMap(files).filter((f) => source(f).startsWith('"use client"'));

describe("messages sent to the browser", () => {
  it("finds the client components", () => {
    expect(clientFiles.length).toBeGreaterThan(20);
  });

  it.each(clientFiles)("%s reads only messages its part of the console sends", (file) => {
    const area = areaOf(file);
    const sent: readonly string[] = [...CLIENT_NAMESPACES.everywhere, ...(area ? CLIENT_NAMESPACES[area] : [])];
    const missing = namespacesUsed(file).filter((ns) => !sent.some((p) => ns === p || ns.startsWith(`${p}.`)));
    expect(missing).toEqual([]);
  });

  it.each(LOCALES)("every listed namespace exists in %s", (locale) => {
    const messages = loadMessages(locale);
    for (const area of Object.keys(CLIENT_NAMESPACES) as (keyof typeof CLIENT_NAMESPACES)[])
      expect(() => pickMessages(messages, CLIENT_NAMESPACES[area])).not.toThrow();
  });

  it.each(Object.keys(CLIENT_NAMESPACES).filter((a) => a !== "everywhere") as ClientArea[])(
    "%s has its provider",
    (area) => {
      expect(source(givenBy(area))).toContain(`<ClientMessages area="${area}">`);
    },
  );

  it("sends a part's messages and the frame's, and nothing of other parts", () => {
    const picked = clientMessages(loadMessages("en"), "orders");
    expect(Object.keys(picked).sort()).toEqual(["common", "components", "orders", "status"]);
    expect(Object.keys(picked.orders!)).toEqual(["lookup"]);
    expect(Object.keys(picked.components!).sort()).toEqual(["dateTime", "liveRefresh"]);
  });
});
