/**
 * The console's back half as a process of its own, for tests that kill it: the refund job workers
 * (`startRefundWorkers` with `consoleGateways`, as `lib/jobs/start.ts` wires them: the merchant's gateway from
 * WECHATPAY_*, behind the shared rate limit, every call recorded) and the refund callback route (`receiveRefundNotification`, what app/api/notify/refund calls),
 * served by node:http. Started with `node --import tsx`; says "ready" over IPC.
 *
 * Why not `next start`: a production build takes minutes and a cold start seconds, too slow to kill and restart
 * several times inside `npm test`. Everything below the route handler is the same code.
 */
import { createServer, type IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import PgBoss from "pg-boss";
import { CALLBACK_SESSION_SETTINGS, createDatabase } from "../../lib/db/client";
import { startRefundWorkers } from "../../lib/jobs/refund-jobs";
import { toResponse } from "../../lib/notifications/answer";
import { receiveRefundNotification } from "../../lib/notifications/receive";
import { consoleGateways } from "../../lib/jobs/start";

const databaseUrl = process.env.DATABASE_URL!;
const port = Number(process.env.APP_PORT);
const pool = Number(process.env.APP_DB_POOL ?? 4);
const { db } = createDatabase(databaseUrl, { max: pool });
// As in the console: callbacks on connections of their own, with its lock timeout (lib/db/client.ts getCallbackDb).
const { db: callbackDb } = createDatabase(databaseUrl, { max: pool, settings: CALLBACK_SESSION_SETTINGS });

function toRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const body =
    req.method === "GET" || req.method === "HEAD" ? undefined : (Readable.toWeb(req) as ReadableStream<Uint8Array>);
  return new Request(`http://127.0.0.1:${port}${req.url}`, {
    method: req.method,
    headers,
    body,
    duplex: "half",
  } as RequestInit);
}

const server = createServer((req, res) => {
  void (async () => {
    if (req.method !== "POST" || req.url !== "/api/notify/refund") {
      res.writeHead(404).end();
      return;
    }
    const response = toResponse(await receiveRefundNotification(callbackDb, toRequest(req)));
    res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
    res.end(Buffer.from(await response.arrayBuffer()));
  })().catch(() => res.writeHead(500).end());
});
// A deep accept queue, as a production listener behind a load balancer has: bursts of new connections (the storm
// test opens one per delivery) wait to be accepted instead of being dropped while the event loop is busy.
await new Promise<void>((resolve) => server.listen({ port, host: "127.0.0.1", backlog: 4096 }, resolve));

if (process.env.APP_JOBS !== "off") {
  const boss = new PgBoss({
    connectionString: databaseUrl,
    schema: "pgboss",
    max: 2,
    application_name: "refund-console-jobs",
  });
  boss.on("error", (error) => console.error(JSON.stringify({ level: 50, msg: "job queue error", err: String(error) })));
  await boss.start();
  await startRefundWorkers(boss, {
    db,
    resolveGateway: consoleGateways(db),
    notifyUrl: process.env.REFUND_NOTIFY_URL,
    // WeChat's advice is a minute; the tests' simulator settles in about a second.
    firstReconcileMs: Number(process.env.APP_FIRST_RECONCILE_MS ?? 3_000),
    pollingIntervalSeconds: 0.5,
  });
}
process.send?.({ type: "ready" });
// A test that dies without stopping its instances leaves nothing behind.
process.on("disconnect", () => process.exit(0));
