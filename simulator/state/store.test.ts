import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { StateStore } from "./store";

const dir = mkdtempSync(join(tmpdir(), "wxpay-sim-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("StateStore", () => {
  it("starts empty without a file, and writes the state with mode 600 in a directory it creates", () => {
    const file = join(dir, "nested", "state.json");
    const store = new StateStore(file);
    expect(store.state.merchants).toEqual({});
    store.nextSequence();
    store.commit();
    store.flush();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(new StateStore(file).state.sequence).toBe(1);
  });

  it("keeps the previous file when a write fails, and leaves no temporary file", () => {
    const file = join(dir, "atomic.json");
    const store = new StateStore(file);
    store.commit();
    store.flush();
    const before = readFileSync(file, "utf8");
    (store.state as unknown as { sequence: unknown }).sequence = 1n; // JSON.stringify throws on a BigInt
    store.commit();
    expect(() => store.flush()).toThrow();
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(readdirSync(dir).filter((name) => name.startsWith("atomic"))).toEqual(["atomic.json"]);
  });

  it("removes its temporary file when the rename fails", () => {
    const target = join(dir, "occupied");
    mkdirSync(join(target, "inside"), { recursive: true }); // a non-empty directory cannot be renamed over
    expect(() => new StateStore(target).commit()).toThrow();
    expect(readdirSync(dir).filter((name) => name.startsWith("occupied"))).toEqual(["occupied"]);
  });

  it("coalesces changes: written shortly after, not on every change", async () => {
    const file = join(dir, "coalesced.json");
    const store = new StateStore(file);
    store.nextSequence();
    store.commit();
    store.nextSequence();
    store.commit();
    expect(() => statSync(file)).toThrow();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(new StateStore(file).state.sequence).toBe(2);
  });

  it("refuses a state file that is not the documented shape, saying where", () => {
    const file = join(dir, "broken.json");
    writeFileSync(file, JSON.stringify({ version: 1, merchants: { x: { mchid: 1 } } }));
    expect(() => new StateStore(file)).toThrow(/is not valid: merchants\.x/);
  });
});
