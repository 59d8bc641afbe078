import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { persistentSecret } from "./local-secrets";

describe("persistentSecret", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rc-secrets-")), ".data");
    dirs.push(path.dirname(dir));
    return dir;
  };
  const mode = (file: string) => fs.statSync(file).mode & 0o777;
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("generates a secret once, owner-only, in a directory others may only traverse", () => {
    const dir = tempDir();
    const first = persistentSecret("auth-secret", 32, dir);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(persistentSecret("auth-secret", 32, dir)).toBe(first);
    expect(mode(path.join(dir, "auth-secret"))).toBe(0o600);
    expect(mode(dir)).toBe(0o711);
  });

  it("tightens a secret file and a data directory found with looser permissions, keeping the secret", () => {
    const dir = tempDir();
    fs.mkdirSync(dir, { mode: 0o777 });
    fs.chmodSync(dir, 0o777);
    fs.writeFileSync(path.join(dir, "encryption-key"), "kept-secret\n", { mode: 0o644 });
    fs.chmodSync(path.join(dir, "encryption-key"), 0o644);
    expect(persistentSecret("encryption-key", 32, dir)).toBe("kept-secret");
    expect(mode(path.join(dir, "encryption-key"))).toBe(0o600);
    expect(mode(dir)).toBe(0o711);
  });
});
