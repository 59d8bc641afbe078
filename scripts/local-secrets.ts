import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export const DATA_DIR = path.join(process.cwd(), ".data");

/**
 * The data directory, readable by its owner only but traversable by others (mode 711): the embedded PostgreSQL runs
 * as its own `postgres` user when the console runs as root, and must reach its directory inside.
 */
export function ensureDataDir(dir = DATA_DIR): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o711);
}

/**
 * A secret generated once and kept under .data/ (mode 600), so sessions and keys survive restarts. A file found with
 * looser permissions (copied in, restored from a backup) is tightened again.
 */
export function persistentSecret(name: string, bytes = 32, dir = DATA_DIR): string {
  const file = path.join(dir, name);
  ensureDataDir(dir);
  if (fs.existsSync(file)) {
    fs.chmodSync(file, 0o600);
    return fs.readFileSync(file, "utf8").trim();
  }
  const secret = randomBytes(bytes).toString("base64url");
  fs.writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}
