/**
 * Everything the simulator remembers across restarts, as one JSON document. Times are milliseconds since the epoch;
 * amounts are integer fen. The zod schema checks the file on load, so a hand-edited or truncated file is refused
 * with a message instead of failing later in the middle of a request.
 */
import { z } from "zod";

const fen = z.number().int().nonnegative();
const ms = z.number().int().nonnegative();

const refundStatusSchema = z.enum(["PROCESSING", "SUCCESS", "CLOSED", "ABNORMAL"]);
export type RefundStatus = z.infer<typeof refundStatusSchema>;
/** The statuses a refund can settle to, and that notifications announce. */
const finalStatusSchema = z.enum(["SUCCESS", "CLOSED", "ABNORMAL"]);
export type FinalStatus = z.infer<typeof finalStatusSchema>;

export const signingModeSchema = z.enum(["public_key", "certificate"]);
export type SigningMode = z.infer<typeof signingModeSchema>;

const platformSchema = z.object({
  privateKeyPem: z.string(),
  publicKeyPem: z.string(),
  /** `PUB_KEY_ID_…`: the serial answers carry in public_key mode. */
  publicKeyId: z.string(),
  /** Self-signed certificate of the same key: the serial answers carry in certificate mode. */
  certificatePem: z.string(),
  certificateSerial: z.string(),
});

const merchantSchema = z.object({
  mchid: z.string(),
  appid: z.string(),
  merchantSerialNo: z.string(),
  merchantPublicKeyPem: z.string(),
  apiV3Key: z.string(),
  apiV2Key: z.string(),
  platform: platformSchema,
  signingMode: signingModeSchema,
  balanceFen: fen,
  /** Overrides the simulator-wide minimum gap between two refunds of one order. */
  orderIntervalMs: ms.optional(),
  /** Where notifications go when a refund request names no notify_url (the merchant platform setting). */
  notifyUrl: z.string().optional(),
});
export type Merchant = z.infer<typeof merchantSchema>;

const transactionSchema = z.object({
  mchid: z.string(),
  outTradeNo: z.string(),
  transactionId: z.string(),
  totalFen: fen,
  paidAt: ms,
  payerOpenid: z.string(),
  /** What the payer saw and the shop attached; absent from state files written before order queries existed. */
  description: z.string().optional(),
  attach: z.string().optional(),
  /** Service-provider mode: the sub-merchant it was paid to; a partner query must name the same one. */
  subMchid: z.string().optional(),
  /** An order that was never paid (NOTPAY, CLOSED…), for order queries; paid when absent. */
  tradeState: z.enum(["NOTPAY", "CLOSED", "REVOKED", "USERPAYING", "PAYERROR"]).optional(),
});
export type Transaction = z.infer<typeof transactionSchema>;

const refundSchema = z.object({
  mchid: z.string(),
  refundId: z.string(),
  outRefundNo: z.string(),
  transactionId: z.string(),
  outTradeNo: z.string(),
  /** Which protocol created it: decides the shape of its notifications. */
  protocol: z.enum(["v3", "v2"]),
  status: refundStatusSchema,
  channel: z.string(),
  userReceivedAccount: z.string(),
  /** APIv3 funds_account of the answers (AVAILABLE, UNSETTLED…); APIv2 answers map it to refund_account. */
  fundsAccount: z.string(),
  refundFen: fen,
  totalFen: fen,
  reason: z.string().optional(),
  notifyUrl: z.string().optional(),
  /** Service-provider mode: the sub-merchant it was made for; a query must name the same one. */
  subMchid: z.string().optional(),
  createTime: ms,
  successTime: ms.optional(),
  /** How it came about: an API request (absent), imported history, or made by hand in the merchant platform. */
  origin: z.enum(["import", "merchant_platform"]).optional(),
  /** A settlement that has not happened yet: rescheduled on start. */
  settle: z.object({ at: ms, status: finalStatusSchema }).optional(),
});
export type Refund = z.infer<typeof refundSchema>;

const attemptSchema = z.object({
  at: ms,
  /** Index of the copy when notifications are duplicated. */
  copy: z.number().int().nonnegative(),
  httpStatus: z.number().int().optional(),
  answer: z.string().optional(),
  error: z.string().optional(),
  accepted: z.boolean(),
  /** WeChat's signature probe (签名探测) sent before the round: never counts as the notification delivered. */
  probe: z.boolean().optional(),
});
export type Attempt = z.infer<typeof attemptSchema>;

const deliverySchema = z.object({
  id: z.string(),
  /** The notification id (`id` of the APIv3 envelope); the same on every retry. */
  notificationId: z.string(),
  mchid: z.string(),
  outRefundNo: z.string(),
  protocol: z.enum(["v3", "v2"]),
  /** What this notification announces; may differ from the refund's status for an injected out-of-order one. */
  status: finalStatusSchema,
  url: z.string(),
  createTime: ms,
  /** Sent on purpose although it contradicts the refund (out-of-order fault). */
  spurious: z.boolean(),
  state: z.enum(["pending", "delivered", "failed", "suppressed"]),
  attempts: z.array(attemptSchema),
  /** Number of send rounds so far (each round may send several copies). */
  rounds: z.number().int().nonnegative(),
  nextAttemptAt: ms.optional(),
});
export type Delivery = z.infer<typeof deliverySchema>;

export const scriptSchema = z.object({
  /** PROCESSING: stays processing until scripted again. */
  status: z.enum(["SUCCESS", "CLOSED", "ABNORMAL", "PROCESSING"]),
  delayMs: ms.optional(),
});
export type Script = z.infer<typeof scriptSchema>;

export const faultKindSchema = z.enum(["system_error", "timeout_after_accept", "reset_before", "reset_after", "slow"]);
export type FaultKind = z.infer<typeof faultKindSchema>;

const faultSchema = z.object({
  id: z.string(),
  kind: faultKindSchema,
  /** How many more requests it applies to. */
  remaining: z.number().int().positive(),
  delayMs: ms.optional(),
  method: z.string().optional(),
  /** Exact path without the query, e.g. /v3/refund/domestic/refunds. */
  path: z.string().optional(),
});
export type Fault = z.infer<typeof faultSchema>;

const billDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "billDate: YYYY-MM-DD");
const adjustmentTarget = { mchid: z.string(), billDate };
/** Amount columns of a bill line, in fen. */
export const billLineAmountsSchema = z.object({
  refundFen: fen.optional(),
  settlementRefundFen: fen.optional(),
  couponRefundFen: fen.optional(),
});

/** How a bill is made to disagree with the simulator's own state (tests, demos). */
export const billAdjustmentInputSchema = z.discriminatedUnion("kind", [
  /** The refund's line is left out. */
  z.object({ kind: z.literal("omit"), ...adjustmentTarget, outRefundNo: z.string().min(1) }),
  /** The refund's line states other amounts or another status. */
  z.object({
    kind: z.literal("change"),
    ...adjustmentTarget,
    outRefundNo: z.string().min(1),
    ...billLineAmountsSchema.shape,
    refundStatus: z.string().min(1).optional(),
  }),
  /** An extra line for a refund the simulator does not hold. */
  z.object({
    kind: z.literal("add"),
    ...adjustmentTarget,
    outRefundNo: z.string().min(1),
    outTradeNo: z.string().optional(),
    refundFen: fen.pipe(z.number().min(1)),
    ...billLineAmountsSchema.omit({ refundFen: true }).shape,
    refundStatus: z.string().min(1).optional(),
  }),
  /** The stated hash_value is not the file's. */
  z.object({ kind: z.literal("corrupt_hash"), ...adjustmentTarget }),
  /** No bill: NO_STATEMENT_EXIST, or STATEMENT_CREATING (WeChat publishes the previous day's bill after 10:00). */
  z.object({
    kind: z.literal("missing"),
    ...adjustmentTarget,
    code: z.enum(["NO_STATEMENT_EXIST", "STATEMENT_CREATING"]).default("STATEMENT_CREATING"),
  }),
]);
export type BillAdjustmentInput = z.input<typeof billAdjustmentInputSchema>;
const billAdjustmentSchema = z.intersection(billAdjustmentInputSchema, z.object({ id: z.string() }));
export type BillAdjustment = z.infer<typeof billAdjustmentSchema>;

export const notifySettingsSchema = z.object({
  enabled: z.boolean(),
  /** Each delivery round sends the notification this many times. */
  copies: z.number().int().min(1).max(10),
  badSignature: z.boolean(),
  tamperCiphertext: z.boolean(),
  /**
   * APIv3: before a notification's first round, send WeChat's signature probe — the same callback with a
   * `Wechatpay-Signature` of `WECHATPAY/SIGNTEST/…`, which a merchant that verifies must refuse.
   */
  signatureProbes: z.boolean().default(false),
  /** After each real notification, also announce this status for the same refund (out of order). */
  followWith: finalStatusSchema.nullable(),
});
export type NotifySettings = z.infer<typeof notifySettingsSchema>;

export const stateSchema = z.object({
  version: z.literal(1),
  /** Keyed by mchid. */
  merchants: z.record(z.string(), merchantSchema),
  /** Keyed by `mchid/out_trade_no`. */
  transactions: z.record(z.string(), transactionSchema),
  /** Keyed by `mchid/out_refund_no`. */
  refunds: z.record(z.string(), refundSchema),
  deliveries: z.array(deliverySchema),
  scripts: z.object({
    /** Keyed by `mchid/out_refund_no`; the mchid is `*` for a script that applies to any merchant. */
    byRefund: z.record(z.string(), scriptSchema),
    next: z.array(scriptSchema.extend({ mchid: z.string().optional() })),
  }),
  faults: z.array(faultSchema),
  /** Kept until deleted; absent from state files written before bills existed. */
  billAdjustments: z.array(billAdjustmentSchema).default([]),
  notify: notifySettingsSchema,
  /** Runtime overrides of SIM_SETTLE_MS / SIM_ORDER_INTERVAL_MS. */
  config: z.object({ settleMs: ms.optional(), orderIntervalMs: ms.optional() }),
  /** Grows with every id the simulator hands out, so ids stay unique across restarts. */
  sequence: z.number().int().nonnegative(),
});
export type SimState = z.infer<typeof stateSchema>;

export const DEFAULT_NOTIFY_SETTINGS: NotifySettings = {
  enabled: true,
  copies: 1,
  badSignature: false,
  tamperCiphertext: false,
  signatureProbes: false,
  followWith: null,
};

export function emptyState(): SimState {
  return {
    version: 1,
    merchants: {},
    transactions: {},
    refunds: {},
    deliveries: [],
    scripts: { byRefund: {}, next: [] },
    faults: [],
    billAdjustments: [],
    notify: { ...DEFAULT_NOTIFY_SETTINGS },
    config: {},
    sequence: 0,
  };
}

export const entityKey = (mchid: string, no: string): string => `${mchid}/${no}`;
