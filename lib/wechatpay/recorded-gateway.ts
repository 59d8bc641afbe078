import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { asPlaceholders, statementsByShape } from "../db/statement";
import { gatewayExchanges, refunds } from "../db/schema";
import {
  redactBody,
  redactJson,
  requestHeaders,
  responseHeaders,
  scrubText,
  type RedactOptions,
} from "../evidence/redact";
import { log } from "../log";
import type { RefundGateway } from "../refunds/gateway";
import type { Result } from "../result";
import type { WechatPayError } from "./errors";
import { observeHttp, type ObservedExchange } from "./http";

/** What a recorded call was for; `certificates` is the platform-certificate download a call may trigger on the way. */
export type ExchangeOperation =
  "apply" | "query" | "abnormal" | "bill" | "certificates" | "transaction_query" | "refund_list";

export interface RecordingContext extends RedactOptions {
  merchantId: string;
  /** The person who caused the call (an approver's abnormal-refund application); null for the job workers. */
  actorId?: string | null;
}

export interface RecordedCall extends RecordingContext {
  operation: ExchangeOperation;
  outRefundNo?: string;
  /**
   * The endpoint, for the row written when nothing observable went over the wire: the request was refused before it
   * was sent, or the protocol's transport (APIv2's mutual-TLS POST) does not report its exchanges.
   */
  method: string;
  path: string;
  /** What was asked, in the console's terms, for that same row. */
  input: unknown;
  /** What of a successful result that row keeps (a bill is kept as its size, not its lines); all of it by default. */
  summarize?: (value: unknown) => unknown;
}

/** A recording that takes longer than this is left to finish on its own: the refund path never waits for evidence. */
const RECORD_BUDGET_MS = 1_000;

/** An evidence row as recorded; its refund is looked up by `outRefundNo` in the insert itself. */
type Row = Omit<typeof gatewayExchanges.$inferInsert, "id" | "refundId">;

/**
 * Runs one call to WeChat Pay and appends what it exchanged to `gateway_exchanges`, redacted: every HTTP request and
 * answer the call made, or, when none was observed, the call itself and its result. Recording can only cost a log
 * line: a failed or slow insert never changes or delays the result beyond the budget.
 */
export async function recordGatewayCall<T>(
  db: Db,
  call: RecordedCall,
  send: () => Promise<Result<T, WechatPayError>>,
): Promise<Result<T, WechatPayError>> {
  const observed: ObservedExchange[] = [];
  const startedAt = new Date();
  const result = await observeHttp((exchange) => observed.push(exchange), send);
  const durationMs = Date.now() - startedAt.getTime();
  try {
    const rows =
      observed.length > 0
        ? observed.map((e, i) => wireRow(call, e, i === observed.length - 1 ? result : undefined))
        : [callRow(call, result, startedAt, durationMs)];
    await persist(db, rows, call);
  } catch (error) {
    log.warn({ operation: call.operation, error: String(error) }, "could not record the exchange with WeChat Pay");
  }
  return result;
}

/** A gateway whose every call is recorded as evidence. */
export function recorded(
  db: Db,
  context: RecordingContext & { apiVersion: "v3" | "v2" },
  gateway: RefundGateway,
): RefundGateway {
  const v3 = context.apiVersion === "v3";
  return {
    apply: (submission) =>
      recordGatewayCall(
        db,
        {
          ...context,
          operation: "apply",
          outRefundNo: submission.outRefundNo,
          input: submission,
          method: "POST",
          path: v3 ? "/v3/refund/domestic/refunds" : "/secapi/pay/refund",
        },
        () => gateway.apply(submission),
      ),
    query: (outRefundNo) =>
      recordGatewayCall(
        db,
        {
          ...context,
          operation: "query",
          outRefundNo,
          input: { outRefundNo },
          method: v3 ? "GET" : "POST",
          path: v3 ? `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}` : "/pay/refundquery",
        },
        () => gateway.query(outRefundNo),
      ),
    applyAbnormal: (request) =>
      recordGatewayCall(
        db,
        {
          ...context,
          operation: "abnormal",
          outRefundNo: request.outRefundNo,
          input: request,
          method: "POST",
          // APIv2 has no such endpoint: the gateway refuses without sending anything.
          path: v3 ? `/v3/refund/domestic/refunds/${request.refundId}/apply-abnormal-refund` : "-",
        },
        () => gateway.applyAbnormal(request),
      ),
    queryTransaction: (ref) =>
      recordGatewayCall(
        db,
        {
          ...context,
          operation: "transaction_query",
          input: ref,
          method: v3 ? "GET" : "POST",
          path: v3 ? "/v3/pay/transactions" : "/pay/orderquery",
        },
        () => gateway.queryTransaction(ref),
      ),
    listRefunds: (transactionId) =>
      recordGatewayCall(
        db,
        {
          ...context,
          operation: "refund_list",
          input: { transactionId },
          method: "POST",
          // APIv3 has no such query: the gateway answers without sending anything.
          path: v3 ? "-" : "/pay/refundquery",
        },
        () => gateway.listRefunds(transactionId),
      ),
  };
}

function errorJson(error: WechatPayError, options: RedactOptions) {
  return { error: { code: error.code, kind: error.kind, detail: scrubText(error.detail, options) } };
}

/** The code an answer carried: WeChat's `code` on an error status, our own when there was no usable answer. */
function wireErrorCode(exchange: ObservedExchange): string | null {
  if (!exchange.result.ok) return exchange.result.error.code;
  const { status, body } = exchange.result.value;
  if (status < 300) return null;
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return typeof code === "string" ? code.slice(0, 64) : `HTTP_${status}`;
  } catch {
    return `HTTP_${status}`;
  }
}

function wireRow(
  call: RecordedCall,
  exchange: ObservedExchange,
  callResult: Result<unknown, WechatPayError> | undefined,
): Row {
  const url = new URL(exchange.request.url);
  const operation = url.pathname.endsWith("/v3/certificates") ? "certificates" : call.operation;
  const answer = exchange.result;
  // The call's own verdict (a bad signature, an answer about another refund) is the last exchange's error code.
  const errorCode = callResult && !callResult.ok ? callResult.error.code : wireErrorCode(exchange);
  return {
    at: exchange.startedAt,
    merchantId: call.merchantId,
    outRefundNo: call.outRefundNo ?? null,
    operation,
    method: exchange.request.method,
    path: `${url.pathname}${url.search}`,
    request: {
      observed: "wire",
      headers: requestHeaders(exchange.request.headers),
      body: redactBody(exchange.request.body, call),
    },
    responseStatus: answer.ok ? answer.value.status : (answer.error.httpStatus ?? null),
    response: answer.ok
      ? { headers: responseHeaders(answer.value.headers), body: redactBody(answer.value.body, call) }
      : errorJson(answer.error, call),
    errorCode,
    durationMs: Math.round(exchange.durationMs),
    actorId: call.actorId ?? null,
  };
}

function callRow(call: RecordedCall, result: Result<unknown, WechatPayError>, at: Date, durationMs: number): Row {
  return {
    at,
    merchantId: call.merchantId,
    outRefundNo: call.outRefundNo ?? null,
    operation: call.operation,
    method: call.method,
    path: call.path,
    request: { observed: "call", body: redactJson(call.input, call) },
    responseStatus: result.ok ? null : (result.error.httpStatus ?? null),
    response: result.ok
      ? { body: redactJson(call.summarize ? call.summarize(result.value) : result.value, call) }
      : errorJson(result.error, call),
    errorCode: result.ok ? null : result.error.code,
    durationMs: Math.round(durationMs),
    actorId: call.actorId ?? null,
  };
}

// Built once per process (lib/db/statement.ts), one per shape of nulls: every call to WeChat Pay records a row, and
// building the insert anew was a twentieth of a bulk run's CPU. The refund a call is about is looked up in the insert
// itself, so recording costs one statement.
const insertExchange = statementsByShape((db, { columns, withRefund }: { columns: object; withRefund: boolean }) => {
  const refund = db
    .select({ id: refunds.id })
    .from(refunds)
    .where(
      and(
        eq(refunds.merchantId, sql.placeholder("merchantId")),
        eq(refunds.outRefundNo, sql.placeholder("outRefundNo")),
      ),
    );
  const values = withRefund ? { ...columns, refundId: sql`(${refund})` } : columns;
  return db.insert(gatewayExchanges).values(values as typeof gatewayExchanges.$inferInsert);
});

function insertRow(db: Db, row: Row) {
  const { shape, columns, bound } = asPlaceholders(row);
  // `shape` says whether outRefundNo is null, and so whether the statement looks the refund up.
  return insertExchange(db, shape, { columns, withRefund: row.outRefundNo != null }, bound);
}

async function persist(db: Db, rows: Row[], call: RecordedCall): Promise<void> {
  const insert = Promise.all(rows.map((row) => insertRow(db, row))).then(
    () => "recorded" as const,
    (error: unknown) => {
      log.warn(
        { operation: call.operation, outRefundNo: call.outRefundNo, error: String(error) },
        "could not record the exchange with WeChat Pay",
      );
      return "failed" as const;
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), RECORD_BUDGET_MS);
  });
  const outcome = await Promise.race([insert, late]).finally(() => clearTimeout(timer));
  if (outcome === "late")
    log.warn(
      { operation: call.operation, outRefundNo: call.outRefundNo },
      "recording the exchange with WeChat Pay is slow; not waiting for it",
    );
}
