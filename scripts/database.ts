import path from "node:path";
import { DATA_DIR, ensureDataDir } from "./local-secrets";
import { ensureDatabase, startEmbeddedPostgres } from "./embedded-db";

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop: () => Promise<void>;
}

/**
 * `DATABASE_URL` when set; otherwise the embedded PostgreSQL under .data/postgres with a `refund_console` database.
 * `ownerStopsOnSignal`: the caller stops it on SIGINT / SIGTERM / SIGHUP itself (see `startEmbeddedPostgres`).
 */
export async function openDatabase(options: { ownerStopsOnSignal?: boolean } = {}): Promise<DatabaseHandle> {
  const configured = process.env.DATABASE_URL;
  if (configured) return { url: configured, embedded: false, stop: async () => {} };
  ensureDataDir();
  const server = await startEmbeddedPostgres(path.join(DATA_DIR, "postgres"), undefined, options);
  await ensureDatabase(server.url("postgres"), "refund_console");
  return { url: server.url("refund_console"), embedded: true, stop: server.stop };
}
