import { z } from "zod";
import { orderIntervalMs } from "../refunds/settings";
import type { RunSettings } from "./run";

/**
 * How bulk runs are paced. BULK_ROWS_PER_SECOND (1–150, default 100) is the most refunds per second and merchant
 * they feed to the submission queue: WeChat Pay accepts 150, and single refunds share the same limit.
 */
export function bulkRunSettings(env: NodeJS.ProcessEnv = process.env): RunSettings {
  const rowsPerSecond = z.coerce
    .number()
    .int()
    .min(1)
    .max(150)
    .catch(100)
    .parse(env.BULK_ROWS_PER_SECOND ?? 100);
  return { rowsPerSecond, windowMs: 200, sliceMs: 20_000, orderIntervalMs: orderIntervalMs(env) };
}
