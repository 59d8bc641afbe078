import type { Scheduler } from "../clock";
import type { BillDownloads } from "./bill-downloads";
import type { RefundDesk } from "../domain/desk";
import type { StateStore } from "../state/store";
import type { FaultBox } from "./faults";
import type { RateLimiter } from "./rate-limit";

/** What the WeChat-facing handlers (APIv3, APIv2) share. */
export interface ApiContext {
  store: StateStore;
  desk: RefundDesk;
  faults: FaultBox;
  limiter: RateLimiter;
  scheduler: Scheduler;
  /** Bill files waiting behind their download_url. */
  bills: BillDownloads;
  /** TLS mode: APIv2 refunds must come over TLS with the merchant's client certificate. */
  tlsMode: boolean;
}
