/**
 * The refund desk: accepts refunds under WeChat's rules, settles them later (SUCCESS by default, or what a test
 * scripted), takes abnormal-refund instructions, and tells the notifier when a refund reaches a final status.
 * Every change is committed to the store before the caller answers, so an accepted refund survives a crash.
 */
import { err, ok, type Result } from "../../lib/result";
import type { Scheduler } from "../clock";
import { entityKey, type FinalStatus, type Merchant, type Refund, type Script } from "../state/schema";
import type { StateStore } from "../state/store";
import { decide, type RefundApplication } from "./rules";
import { violation, type Violation } from "./violations";
import { beijingPlain } from "../../lib/beijing-time";
import { addRefund } from "../state/lookups";

/** Receives every final status a refund reaches; the notifier turns it into notifications. */
export interface Announcer {
  announce(refund: Refund, status: FinalStatus): void;
}

/** Keys scripts stored for a refund number of whichever merchant makes it (never a valid mchid). */
const ANY_MERCHANT = "*";

export interface DeskSettings {
  /** SIM_SETTLE_MS: how long a refund stays PROCESSING unless scripted. */
  settleMs: number;
  /** SIM_ORDER_INTERVAL_MS: minimum gap between two refunds of one order, unless the merchant overrides it. */
  orderIntervalMs: number;
}

export interface AbnormalInstruction {
  outRefundNo: string;
  type: "USER_BANK_CARD" | "MERCHANT_BANK_CARD";
  /** Decrypted by the caller; only the last four digits are kept. */
  bankAccount?: string;
}

export class RefundDesk {
  private readonly timers = new Map<string, () => void>();

  constructor(
    private readonly store: StateStore,
    private readonly scheduler: Scheduler,
    private readonly settings: DeskSettings,
    private readonly announcer: Announcer,
  ) {}

  /** Settings changed at runtime (`PATCH /_sim/config`) win over the environment. */
  get settleMs(): number {
    return this.store.state.config.settleMs ?? this.settings.settleMs;
  }

  orderIntervalMs(merchant: Merchant): number {
    return merchant.orderIntervalMs ?? this.store.state.config.orderIntervalMs ?? this.settings.orderIntervalMs;
  }

  apply(merchant: Merchant, application: RefundApplication): Result<{ refund: Refund; replay: boolean }, Violation> {
    const { state } = this.store;
    const now = this.scheduler.now();
    const decision = decide(state, merchant, application, now, this.orderIntervalMs(merchant));
    if (!decision.ok) return decision;
    if (decision.value.kind === "replay") return ok({ refund: decision.value.refund, replay: true });

    const { transaction } = decision.value;
    const refund: Refund = {
      mchid: merchant.mchid,
      refundId: this.newRefundId(now),
      outRefundNo: application.outRefundNo,
      transactionId: transaction.transactionId,
      outTradeNo: transaction.outTradeNo,
      protocol: application.protocol,
      status: "PROCESSING",
      channel: "ORIGINAL",
      userReceivedAccount: "支付用户零钱",
      fundsAccount: application.fundsAccount,
      refundFen: application.refundFen,
      totalFen: transaction.totalFen,
      reason: application.reason,
      notifyUrl: application.notifyUrl,
      ...(application.subMchid ? { subMchid: application.subMchid } : {}),
      createTime: now,
    };
    // The money leaves the merchant's balance when WeChat accepts the refund, not when it settles.
    merchant.balanceFen -= refund.refundFen;
    addRefund(state, refund);
    this.planSettlement(refund, this.takeScript(refund));
    this.store.commit();
    return ok({ refund, replay: false });
  }

  find(mchid: string, outRefundNo: string): Refund | undefined {
    return this.store.state.refunds[entityKey(mchid, outRefundNo)];
  }

  /**
   * Where the money of an ABNORMAL refund goes instead: back to PROCESSING on another channel, then SUCCESS after
   * the usual delay (or what was scripted for this refund).
   */
  applyAbnormal(merchant: Merchant, refundId: string, instruction: AbnormalInstruction): Result<Refund, Violation> {
    const refund = Object.values(this.store.state.refunds).find(
      (r) => r.mchid === merchant.mchid && r.refundId === refundId,
    );
    if (!refund) return err(violation("REFUND_NOT_FOUND"));
    if (refund.outRefundNo !== instruction.outRefundNo) {
      return err(violation("PARAM", "out_refund_no 与 refund_id 不匹配"));
    }
    if (refund.status !== "ABNORMAL") return err(violation("NOT_ABNORMAL"));
    refund.status = "PROCESSING";
    refund.channel = "OTHER_BANKCARD";
    refund.userReceivedAccount =
      instruction.type === "USER_BANK_CARD" ? `用户银行卡${(instruction.bankAccount ?? "").slice(-4)}` : "商户银行账户";
    // Only a script for this very refund applies; "next refund" scripts wait for a new refund.
    this.planSettlement(refund, this.takeScript(refund, false));
    this.store.commit();
    return ok(refund);
  }

  /**
   * Scripts the outcome of a refund by number. For a refund still PROCESSING it replaces the pending settlement now;
   * for one not yet made it waits for it. A final refund cannot change any more.
   */
  script(mchid: string | undefined, outRefundNo: string, script: Script): Result<"rescheduled" | "stored", string> {
    const refund = Object.values(this.store.state.refunds).find(
      (r) => r.outRefundNo === outRefundNo && (mchid === undefined || r.mchid === mchid),
    );
    if (refund && refund.status !== "PROCESSING") return err(`refund ${outRefundNo} is already ${refund.status}`);
    if (refund) {
      this.planSettlement(refund, script);
      this.store.commit();
      return ok("rescheduled");
    }
    this.store.state.scripts.byRefund[entityKey(mchid ?? ANY_MERCHANT, outRefundNo)] = script;
    this.store.commit();
    return ok("stored");
  }

  /** On start: every settlement that was pending when the simulator stopped, due ones at once. */
  resume(): void {
    for (const refund of Object.values(this.store.state.refunds)) {
      if (refund.settle) this.arm(refund, refund.settle.at);
    }
  }

  /** Forgets every planned settlement (reset, shutdown); the state keeps them for the next start. */
  clearTimers(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }

  /** A scripted outcome for this refund by number, else (when `useNext`) the next "next refund" script. */
  private takeScript(refund: Refund, useNext = true): Script | undefined {
    const { scripts } = this.store.state;
    for (const key of [entityKey(refund.mchid, refund.outRefundNo), entityKey(ANY_MERCHANT, refund.outRefundNo)]) {
      const script = scripts.byRefund[key];
      if (script) {
        delete scripts.byRefund[key];
        return script;
      }
    }
    if (!useNext) return undefined;
    const index = scripts.next.findIndex((s) => s.mchid === undefined || s.mchid === refund.mchid);
    if (index < 0) return undefined;
    const [next] = scripts.next.splice(index, 1);
    return next && { status: next.status, delayMs: next.delayMs };
  }

  private planSettlement(refund: Refund, script: Script | undefined): void {
    const key = entityKey(refund.mchid, refund.outRefundNo);
    this.timers.get(key)?.();
    this.timers.delete(key);
    const status = script?.status ?? "SUCCESS";
    if (status === "PROCESSING") {
      delete refund.settle;
      return;
    }
    const at = this.scheduler.now() + (script?.delayMs ?? this.settleMs);
    refund.settle = { at, status };
    this.arm(refund, at);
  }

  private arm(refund: Refund, at: number): void {
    const key = entityKey(refund.mchid, refund.outRefundNo);
    this.timers.set(
      key,
      this.scheduler.schedule(at, () => this.settle(key)),
    );
  }

  private settle(key: string): void {
    this.timers.delete(key);
    const { state } = this.store;
    const refund = state.refunds[key];
    if (!refund?.settle || refund.status !== "PROCESSING") return;
    const { status } = refund.settle;
    delete refund.settle;
    refund.status = status;
    if (status === "SUCCESS") refund.successTime = this.scheduler.now();
    // A closed refund gives the money back to the merchant; an abnormal one keeps it until it is redirected.
    const merchant = state.merchants[refund.mchid];
    if (status === "CLOSED" && merchant) merchant.balanceFen += refund.refundFen;
    this.store.commit();
    this.announcer.announce(refund, status);
  }

  private newRefundId(now: number): string {
    return newRefundId(now, this.store.nextSequence());
  }
}

/** 29 digits like WeChat's refund ids: a prefix, the Beijing date, the persisted sequence and a random tail. */
export function newRefundId(now: number, sequence: number): string {
  const day = beijingPlain(now).slice(0, 10).replaceAll("-", "");
  const tail = String(Math.floor(Math.random() * 1e8)).padStart(8, "0");
  return `50300${day}${String(sequence).padStart(8, "0")}${tail}`;
}
