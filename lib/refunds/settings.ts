import { z } from "zod";

/** WeChat: refunds of one order at least a minute apart. Tests and the simulator shorten it. */
export function orderIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = z.coerce
    .number()
    .int()
    .min(0)
    .max(3600)
    .catch(60)
    .parse(env.REFUND_ORDER_INTERVAL_SECONDS ?? 60);
  return seconds * 1000;
}
