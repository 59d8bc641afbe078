/**
 * Finds what the outside world can call: every server-action module under app/ (a file whose first statement is
 * "use server") with its exported functions, and every route handler (route.ts) with its HTTP methods. New ones are
 * found without editing the tests, which then insist on knowing who may call them.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

function filesUnder(dir: string, accept: (file: string) => boolean): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && accept(path.join(e.parentPath, e.name)))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)))
    .sort();
}

const isUseServer = (file: string) =>
  /^\s*(\/\/[^\n]*\n|\/\*[\s\S]*?\*\/\s*)*["']use server["']/.test(readFileSync(file, "utf8"));

/** `app/…/actions.ts` and any other "use server" module under app/ (tests excluded). */
export function serverActionModules(): string[] {
  return filesUnder("app", (f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f) && isUseServer(f));
}

export function routeModules(): string[] {
  return filesUnder("app", (f) => /\/route\.tsx?$/.test(f));
}

export interface Callable {
  /** `app/…/actions.ts#requestRefundAction` or `app/api/…/route.ts#POST` */
  id: string;
  fn: (...args: never[]) => Promise<unknown>;
}

/** The exported functions of each server-action module. */
export async function serverActions(): Promise<Callable[]> {
  const found: Callable[] = [];
  for (const file of serverActionModules()) {
    const module = (await import(path.join(ROOT, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module)) {
      if (typeof value === "function") found.push({ id: `${file}#${name}`, fn: value as Callable["fn"] });
    }
  }
  return found;
}

/** The HTTP methods each route module exports. */
export async function routeHandlers(): Promise<Callable[]> {
  const found: Callable[] = [];
  for (const file of routeModules()) {
    const module = (await import(path.join(ROOT, file))) as Record<string, unknown>;
    for (const method of HTTP_METHODS) {
      if (typeof module[method] === "function")
        found.push({ id: `${file}#${method}`, fn: module[method] as Callable["fn"] });
    }
  }
  return found;
}
