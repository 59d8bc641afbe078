import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LOCALES } from "@/lib/locale";
import { loadMessages } from "./messages";

/** Every non-test source file of the console's code, with its text. */
function sources(): { file: string; text: string }[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) files.push(full);
    }
  };
  for (const dir of ["lib", "app"]) walk(path.join(process.cwd(), dir));
  return files.map((file) => ({ file, text: fs.readFileSync(file, "utf8") }));
}

/**
 * The actions and target types the console writes to the audit log, read from its `appendAudit` calls: the action is
 * the first dotted string literal after the call (both branches of a conditional), the target types the `type:`
 * literals among its arguments. Template actions (`export.${kind}`) are checked by their own test below.
 */
function audited(): { actions: Set<string>; targets: Set<string> } {
  const actions = new Set<string>();
  const targets = new Set<string>();
  for (const { text } of sources()) {
    for (const call of text.matchAll(/appendAudit\(/g)) {
      const args = text.slice(call.index + call[0].length, call.index + 600);
      const firstLine = args.slice(0, args.search(/[a-z_]+\.[a-z_]+"/) + 200);
      for (const [, action] of firstLine.matchAll(/"([a-z_]+\.[a-z_]+)"/g)) actions.add(action!);
      const target = /type: "([a-z_]+)"/.exec(args);
      if (target) targets.add(target[1]!);
    }
  }
  return { actions, targets };
}

describe("audit log labels", () => {
  const { actions, targets } = audited();

  it("finds the console's audited actions and target types in its code", () => {
    expect(actions).toContain("refund.requested");
    expect(actions).toContain("alert_channel.disabled");
    expect(targets).toContain("refund");
  });

  it.each(LOCALES)("names every audited action and target type in %s", (locale) => {
    const { audit } = loadMessages(locale) as { audit: Record<string, Record<string, unknown>> };
    const label = (tree: unknown, dotted: string) =>
      dotted.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], tree);
    expect([...actions].filter((a) => typeof label(audit.actions, a) !== "string")).toEqual([]);
    expect([...targets].filter((t) => typeof label(audit.targets, t) !== "string")).toEqual([]);
    expect(["export.orders", "export.refunds"].filter((a) => typeof label(audit.actions, a) !== "string")).toEqual([]);
  });
});
