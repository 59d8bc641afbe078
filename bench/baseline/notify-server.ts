/**
 * The ceiling for benchmark 1: a bare `node:http` server doing what the console's notify route does for a refund
 * callback — read the raw body, verify the signature, decrypt and validate the resource — and the same SQL, sent the
 * same way (prepared statements, the same statements pipelined together): store the request (learning whether the
 * notification was applied before), then — nothing read first — one statement that moves the refund if it is as the
 * report implies (accepted, of the notified amount) — order locked first, the order's sums, the timeline event and the
 * settled notification with it — and only when it is not, the transaction that locks the order and the refund, checks
 * exactly-once and writes. No framework, no ORM.
 *
 * Run as its own process by bench/callbacks.ts: `tsx bench/baseline/notify-server.ts <port>` with DATABASE_URL.
 */
import { createServer } from "node:http";
import postgres from "postgres";
import { decryptResource } from "../../lib/wechatpay/v3/aead";
import { refundResourceSchema } from "../../lib/wechatpay/v3/schemas";
import { verifySignature } from "../../lib/wechatpay/v3/verify";
import { axiosKey } from "../../lib/wechatpay/v3/fixtures/keys";
import { API_V3_KEY, PLATFORM } from "../../tests/fixtures/notifications";

const sql = postgres(process.env.DATABASE_URL!, { max: 10, onnotice: () => {} });
const resolveKey = async (serial: string) => (serial === PLATFORM.serial ? axiosKey.publicKey : undefined);
const FAIL = JSON.stringify({ code: "FAIL", message: "失败" });

async function handle(headers: Record<string, string | string[] | undefined>, body: string): Promise<number> {
  const signed = await verifySignature({ headers, body }, resolveKey);
  if (!signed.ok) return 401;
  const envelope = JSON.parse(body) as {
    id: string;
    event_type: string;
    resource: { algorithm: string; ciphertext: string; nonce: string; associated_data: string };
  };
  const plaintext = decryptResource(envelope.resource, API_V3_KEY);
  if (!plaintext.ok) return 400;
  const resource = refundResourceSchema.safeParse(JSON.parse(plaintext.value));
  if (!resource.success) return 400;
  const r = resource.data;
  // As the console does it (lib/notifications): the stored request, which says whether the notification was applied
  // before; then one statement that moves the refund if it is as the report implies (order locked first), with the
  // order's sums, the timeline event and the settled row. Only if it is not: one transaction of two round trips, the
  // locks (order first) with the exactly-once check, then every write.
  const [row] = await sql<{ id: number; applied: number[] }[]>`
    insert into notifications (protocol, notification_id, event_type, verification, headers, raw_body, decrypted, outcome)
    values ('v3', ${envelope.id}, ${envelope.event_type}, 'verified', ${sql.json(headers as Record<string, string>)}, ${body}, ${sql.json(r as never)}, 'error')
    returning id, array(select refund_id from notifications where notification_id = ${envelope.id} and outcome = 'applied') as applied`;
  if (row!.applied.length > 0) {
    await sql`update notifications set outcome = 'duplicate', refund_id = ${row!.applied[0]!}, response_status = 204 where id = ${row!.id}`;
    return 204;
  }
  {
    const at = new Date().toISOString();
    const amount = r.amount.refund;
    const [moved] = await sql<{ moved: number }[]>`
      with locked_order as (
        select id from orders where id = (select order_id from refunds where out_refund_no = ${r.out_refund_no}) for update
      ), moved as (
        update refunds set status = 'SUCCESS', refund_id = ${r.refund_id}, user_received_account = ${r.user_received_account ?? null},
          finished_at = ${r.success_time ?? at}::timestamptz, outcome_unknown = false, submitting_until = null, updated_at = ${at}::timestamptz
        where out_refund_no = ${r.out_refund_no} and status = 'PROCESSING' and amount_fen = ${amount}
          and exists (select 1 from locked_order)
          and not exists (select 1 from webhook_endpoints e where e.merchant_id = refunds.merchant_id and e.status <> 'disabled' and 'refund.succeeded' = any(e.events))
        returning id, order_id
      ), sums as (
        update orders set refunded_fen = refunded_fen + ${amount}, in_flight_fen = in_flight_fen - ${amount}
        where id = (select order_id from moved)
      ), event as (
        insert into refund_events (refund_id, at, type, source, status_from, status_to, payload)
        select id, ${at}::timestamptz, 'succeeded', 'notify', 'PROCESSING', 'SUCCESS', ${sql.json({ notificationId: envelope.id, eventType: envelope.event_type })} from moved
      ), settled as (
        update notifications set outcome = 'applied', refund_id = (select id from moved), response_status = 204
        where id = ${row!.id} and exists (select 1 from moved)
      )
      select count(*)::int as moved from moved`;
    if (moved!.moved === 1) return 204;
  }
  await sql.begin(async (tx) => {
    const [, [refund], [applied]] = await Promise.all([
      tx`select id from orders where id = (select order_id from refunds where out_refund_no = ${r.out_refund_no}) for update`,
      tx<{ id: number; order_id: number; status: string; amount_fen: number }[]>`
        select id, order_id, status, amount_fen from refunds where out_refund_no = ${r.out_refund_no} for update`,
      tx`select id from notifications where notification_id = ${envelope.id} and outcome = 'applied' limit 1`,
    ]);
    if (!refund) throw new Error("unknown refund");
    if (applied || refund.status !== "PROCESSING") {
      await tx`update notifications set outcome = 'duplicate', refund_id = ${refund.id}, response_status = 204 where id = ${row!.id}`;
      return;
    }
    await Promise.all([
      tx`update refunds set status = 'SUCCESS', refund_id = ${r.refund_id}, user_received_account = ${r.user_received_account ?? null},
         finished_at = ${r.success_time ?? new Date().toISOString()}, outcome_unknown = false, submitting_until = null, updated_at = now()
         where id = ${refund.id}`,
      tx`update orders set refunded_fen = refunded_fen + ${refund.amount_fen}, in_flight_fen = in_flight_fen - ${refund.amount_fen} where id = ${refund.order_id}`,
      tx`insert into refund_events (refund_id, type, source, status_from, status_to, payload)
         values (${refund.id}, 'succeeded', 'notify', 'PROCESSING', 'SUCCESS', ${sql.json({ notificationId: envelope.id, eventType: envelope.event_type })})`,
      tx`update notifications set outcome = 'applied', refund_id = ${refund.id}, response_status = 204 where id = ${row!.id}`,
    ]);
  });
  return 204;
}

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    handle(request.headers, Buffer.concat(chunks).toString("utf8")).then(
      (status) => {
        response.writeHead(status, status === 204 ? {} : { "content-type": "application/json" });
        response.end(status === 204 ? undefined : FAIL);
      },
      () => {
        response.writeHead(500, { "content-type": "application/json" });
        response.end(FAIL);
      },
    );
  });
});
server.listen(Number(process.argv[2] ?? 3300), "127.0.0.1", () => process.send?.("ready"));
