import { envSetting } from "../env";
import { orderIntervalMs } from "../refunds/settings";
import type { RunSettings } from "./run";

/** How bulk runs are paced: BULK_ROWS_PER_SECOND refunds a second and merchant at most (lib/env.ts). */
export function bulkRunSettings(env?: Readonly<Record<string, string | undefined>>): RunSettings {
  const rowsPerSecond = envSetting("BULK_ROWS_PER_SECOND", env);
  return { rowsPerSecond, windowMs: 200, sliceMs: 20_000, orderIntervalMs: orderIntervalMs(env) };
}
