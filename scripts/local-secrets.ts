import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export const DATA_DIR = path.join(process.cwd(), ".data");

/** A secret generated once and kept under .data/ (mode 600), so sessions and keys survive restarts. */
export function persistentSecret(name: string, bytes = 32): string {
  const file = path.join(DATA_DIR, name);
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  fs.mkdirSync(DATA_DIR, { recursive: true });
  const secret = randomBytes(bytes).toString("base64url");
  fs.writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}
