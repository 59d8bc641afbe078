/**
 * Delivers refund notifications and retries them on WeChat Pay's schedule until the merchant accepts one.
 * Pending deliveries live in the persisted state with their next attempt time, so a restart resumes them.
 */
import { randomUUID } from "node:crypto";
import type { Scheduler } from "../clock";
import type { Announcer } from "../domain/desk";
import { entityKey, type Attempt, type Delivery, type FinalStatus, type Refund } from "../state/schema";
import type { StateStore } from "../state/store";
import { buildPayload, isAccepted } from "./payloads";

/** Seconds between attempts after the first one fails: 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h. */
export const RETRY_SCHEDULE_SECONDS = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
];
/** WeChat waits about five seconds for the merchant's answer. */
const ANSWER_TIMEOUT_MS = 5000;
/** Kept in the log per attempt; enough to see what the merchant said. */
const MAX_LOGGED_ANSWER = 500;
/** The delivery log is bounded so a long-running simulator does not grow without end. */
const MAX_FINISHED_DELIVERIES = 1000;

export class Notifier implements Announcer {
  private readonly timers = new Map<string, () => void>();
  /** Set by stop(): a round still waiting for an answer then leaves the state (and its file) alone. */
  private stopped = false;

  constructor(
    private readonly store: StateStore,
    private readonly scheduler: Scheduler,
    /** SIM_TIME_SCALE: retry intervals are divided by it. */
    private readonly timeScale: number,
  ) {}

  announce(refund: Refund, status: FinalStatus): void {
    const settings = this.store.state.notify;
    this.create(refund, status, false, settings.enabled);
    if (settings.enabled && settings.followWith && settings.followWith !== status) {
      this.create(refund, settings.followWith, true, true);
    }
    this.prune();
    this.store.commit();
  }

  /** On start: every delivery that was waiting for its next attempt. */
  resume(): void {
    for (const delivery of this.store.state.deliveries) {
      if (delivery.state === "pending" && delivery.nextAttemptAt !== undefined)
        this.arm(delivery.id, delivery.nextAttemptAt);
    }
  }

  /** Forgets every planned attempt (reset); the state keeps what was pending. */
  clearTimers(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
  }

  private create(refund: Refund, status: FinalStatus, spurious: boolean, enabled: boolean): void {
    const merchant = this.store.state.merchants[refund.mchid];
    const url = refund.notifyUrl ?? merchant?.notifyUrl ?? "";
    const now = this.scheduler.now();
    const sendable = enabled && url !== "";
    const delivery: Delivery = {
      id: randomUUID(),
      notificationId: randomUUID(),
      mchid: refund.mchid,
      outRefundNo: refund.outRefundNo,
      protocol: refund.protocol,
      status,
      url,
      createTime: now,
      spurious,
      // Without a URL, or with notifications switched off, WeChat has nobody to tell: kept in the log only.
      state: sendable ? "pending" : "suppressed",
      attempts: [],
      rounds: 0,
      ...(sendable ? { nextAttemptAt: now } : {}),
    };
    this.store.state.deliveries.push(delivery);
    if (sendable) this.arm(delivery.id, now);
  }

  private arm(id: string, at: number): void {
    this.timers.set(
      id,
      this.scheduler.schedule(at, () => this.attempt(id)),
    );
  }

  /** One round: the notification (as many copies as configured), then success, the next retry, or giving up. */
  private async attempt(id: string): Promise<void> {
    this.timers.delete(id);
    const found = this.lookup(id);
    if (!found) return;
    const copies = this.store.state.notify.copies;
    const attempts: Attempt[] = [];
    if (found.delivery.protocol === "v3" && found.delivery.rounds === 0 && this.store.state.notify.signatureProbes) {
      attempts.push({ ...(await this.send(found.delivery, found.refund, 0, true)), probe: true });
    }
    for (let copy = 0; copy < copies; copy++) {
      // Rebuilt per copy: a fresh timestamp, nonce and encryption, and the sabotage settings of this moment.
      const current = this.lookup(id);
      if (!current) return; // reset while sending
      attempts.push(await this.send(current.delivery, current.refund, copy));
    }
    const after = this.lookup(id);
    if (!after || this.stopped) return;
    const { delivery } = after;
    delivery.attempts.push(...attempts);
    delivery.rounds += 1;
    if (attempts.some((a) => a.accepted && !a.probe)) {
      delivery.state = "delivered";
      delete delivery.nextAttemptAt;
    } else if (delivery.rounds > RETRY_SCHEDULE_SECONDS.length) {
      delivery.state = "failed";
      delete delivery.nextAttemptAt;
    } else {
      const waitMs = ((RETRY_SCHEDULE_SECONDS[delivery.rounds - 1] ?? 0) * 1000) / this.timeScale;
      delivery.nextAttemptAt = this.scheduler.now() + Math.round(waitMs);
      this.arm(id, delivery.nextAttemptAt);
    }
    this.store.commit();
  }

  private async send(delivery: Delivery, refund: Refund, copy: number, probe = false): Promise<Attempt> {
    const at = this.scheduler.now();
    const merchant = this.store.state.merchants[delivery.mchid];
    if (!merchant) return { at, copy, accepted: false, error: "merchant no longer exists" };
    const payload = buildPayload(delivery, merchant, refund, at, { ...this.store.state.notify, probe });
    if (!payload.ok) return { at, copy, accepted: false, error: `cannot build: ${payload.error.detail}` };
    try {
      const response = await fetch(delivery.url, {
        method: "POST",
        headers: payload.value.headers,
        body: payload.value.body,
        redirect: "manual",
        signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
      });
      const answer = await response.text();
      const accepted = isAccepted(delivery.protocol, response.status, answer);
      return { at, copy, httpStatus: response.status, answer: answer.slice(0, MAX_LOGGED_ANSWER), accepted };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return { at, copy, accepted: false, error: cause ?? (error instanceof Error ? error.message : String(error)) };
    }
  }

  private lookup(id: string): { delivery: Delivery; refund: Refund } | undefined {
    const { state } = this.store;
    const delivery = state.deliveries.find((d) => d.id === id && d.state === "pending");
    const refund = delivery && state.refunds[entityKey(delivery.mchid, delivery.outRefundNo)];
    return delivery && refund ? { delivery, refund } : undefined;
  }

  /** Drops the oldest finished deliveries beyond the bound; pending ones are never dropped. */
  private prune(): void {
    const { state } = this.store;
    const finished = state.deliveries.filter((d) => d.state !== "pending");
    if (finished.length <= MAX_FINISHED_DELIVERIES) return;
    const drop = new Set(finished.slice(0, finished.length - MAX_FINISHED_DELIVERIES));
    state.deliveries = state.deliveries.filter((d) => !drop.has(d));
  }
}
