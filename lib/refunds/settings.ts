import { envSetting } from "../env";

/** WeChat: refunds of one order at least a minute apart (REFUND_ORDER_INTERVAL_SECONDS; tests shorten it). */
export function orderIntervalMs(env?: Readonly<Record<string, string | undefined>>): number {
  return envSetting("REFUND_ORDER_INTERVAL_SECONDS", env) * 1000;
}
