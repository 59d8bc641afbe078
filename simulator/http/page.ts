/**
 * The read-only overview at GET /_sim/: merchants (without secrets), transactions, refunds and the notification
 * deliveries. A plain server-rendered string; every value from the state goes through `escapeHtml`, since order
 * numbers, reasons and merchants' answers are whatever a client sent.
 */
import { formatFen } from "../../lib/money";
import { beijingPlain } from "../../lib/beijing-time";
import { tradeStateOf } from "../domain/trade-query";
import type { SimState } from "../state/schema";
import type { RobotMessage } from "./robots";

/** Rows shown per table; the JSON endpoints list everything. */
const MAX_ROWS = 200;

function escapeHtml(value: unknown): string {
  return String(value ?? "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const time = (ms: number | undefined) => (ms === undefined ? "" : beijingPlain(ms));

function table(title: string, headers: string[], rows: unknown[][], total: number): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join("")}</tr>`).join("");
  const more = total > rows.length ? ` (latest ${rows.length} of ${total})` : ` (${total})`;
  return `<h2>${escapeHtml(title)}${escapeHtml(more)}</h2><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Feishu signs in the body; shown so the demo makes the signing visible. */
function signatureInBody(body: string): string {
  try {
    const { timestamp, sign } = JSON.parse(body) as { timestamp?: string; sign?: string };
    return sign ? `timestamp=${timestamp}&sign=${sign}` : "";
  } catch {
    return "";
  }
}

const latest = <T>(items: T[], at: (item: T) => number) => [...items].sort((a, b) => at(b) - at(a)).slice(0, MAX_ROWS);

export function renderPage(state: SimState, robots: readonly RobotMessage[] = []): string {
  const merchants = Object.values(state.merchants);
  const transactions = Object.values(state.transactions);
  const refunds = Object.values(state.refunds);
  const sections = [
    table(
      "Merchants",
      [
        "mchid",
        "appid",
        "merchant serial",
        "signing mode",
        "PUB_KEY_ID",
        "certificate serial",
        "balance",
        "order interval ms",
        "notify URL",
      ],
      merchants.map((m) => [
        m.mchid,
        m.appid,
        m.merchantSerialNo,
        m.signingMode,
        m.platform.publicKeyId,
        m.platform.certificateSerial,
        formatFen(m.balanceFen),
        m.orderIntervalMs ?? "default",
        m.notifyUrl ?? "",
      ]),
      merchants.length,
    ),
    table(
      "Transactions",
      [
        "mchid",
        "out_trade_no",
        "transaction_id",
        "total",
        "paid at (Beijing)",
        "payer openid",
        "trade_state",
        "attach",
      ],
      latest(transactions, (t) => t.paidAt).map((t) => [
        t.mchid,
        t.outTradeNo,
        t.transactionId,
        formatFen(t.totalFen),
        time(t.paidAt),
        t.payerOpenid,
        tradeStateOf(state, t),
        t.attach ?? "",
      ]),
      transactions.length,
    ),
    table(
      "Refunds",
      [
        "mchid",
        "out_refund_no",
        "refund_id",
        "out_trade_no",
        "amount",
        "status",
        "channel",
        "account",
        "protocol / origin",
        "created",
        "succeeded",
        "settles",
      ],
      latest(refunds, (r) => r.createTime).map((r) => [
        r.mchid,
        r.outRefundNo,
        r.refundId,
        r.outTradeNo,
        formatFen(r.refundFen),
        r.status,
        r.channel,
        r.userReceivedAccount,
        r.origin ?? r.protocol,
        time(r.createTime),
        time(r.successTime),
        r.settle ? `${r.settle.status} at ${time(r.settle.at)}` : "",
      ]),
      refunds.length,
    ),
    table(
      "Notification deliveries",
      ["created", "out_refund_no", "announces", "protocol", "url", "state", "attempts", "last answer", "next attempt"],
      latest(state.deliveries, (d) => d.createTime).map((d) => {
        const last = d.attempts.at(-1);
        const answer = last ? `${last.httpStatus ?? last.error ?? ""} ${last.answer ?? ""}`.trim() : "";
        return [
          time(d.createTime),
          d.outRefundNo,
          `${d.status}${d.spurious ? " (out of order)" : ""}`,
          d.protocol,
          d.url,
          d.state,
          d.attempts.length,
          answer,
          time(d.nextAttemptAt),
        ];
      }),
      state.deliveries.length,
    ),
    table(
      "Robot messages (the console's alerts)",
      ["received", "robot", "message", "signature"],
      latest([...robots], (m) => m.at).map((m) => [time(m.at), m.robot, m.text, m.query || signatureInBody(m.body)]),
      robots.length,
    ),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>WeChat Pay simulator</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin-bottom:24px;font-size:12px}
th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top;max-width:360px;overflow-wrap:anywhere;white-space:pre-line}
th{background:#f4f4f4}h2{font-size:16px;margin:16px 0 8px}
</style></head><body>
<h1>WeChat Pay simulator</h1>
<p>Read-only view; it refreshes every 5 seconds. The control API under <code>/_sim/</code> is described in docs/simulator.md.</p>
${sections.join("\n")}
</body></html>`;
}
