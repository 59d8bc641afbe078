/**
 * The console's own callback handler without Next.js: `receiveRefundNotification` (lib/notifications/receive.ts, the
 * code behind app/api/notify/refund: the bounded read, verification, decryption, the stored request, the two
 * statements, the metrics) and its `toResponse`, called from a bare `node:http` server as a custom server in front of
 * Next.js would call them. Benchmark 1 measures it beside the console and the hand-written baseline, so that the
 * framework's share of a callback is measured rather than inferred (ADR 030).
 *
 * Run as its own process by bench/callbacks.ts: `tsx bench/baseline/console-handler-server.ts <port>` with the
 * console's environment.
 */
import { createServer, type IncomingMessage } from "node:http";
import { getCallbackDb } from "../../lib/db/client";
import { trustedProxies } from "../../lib/env";
import { toResponse } from "../../lib/notifications/answer";
import { receiveRefundNotification } from "../../lib/notifications/receive";

/** The Web request the route handler would get, body included, the peer's address forwarded as Next.js forwards it. */
function webRequest(incoming: IncomingMessage, body: Buffer): Request {
  const headers = new Headers();
  for (let i = 0; i < incoming.rawHeaders.length; i += 2)
    headers.append(incoming.rawHeaders[i]!, incoming.rawHeaders[i + 1]!);
  headers.set("x-forwarded-for", incoming.socket.remoteAddress ?? "");
  // A copy typed as the Fetch API wants it (a Buffer may view a shared pool); a callback is about a kilobyte.
  return new Request(`http://${incoming.headers.host}${incoming.url}`, {
    method: incoming.method,
    headers,
    body: Uint8Array.from(body),
  });
}

const server = createServer((incoming, outgoing) => {
  const chunks: Buffer[] = [];
  incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
  incoming.on("end", () => {
    const request = webRequest(incoming, Buffer.concat(chunks));
    receiveRefundNotification(getCallbackDb(), request, { trustedProxies: trustedProxies() })
      .then(async (answer) => {
        const response = toResponse(answer);
        outgoing.writeHead(response.status, Object.fromEntries(response.headers));
        outgoing.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch(() => {
        outgoing.writeHead(500);
        outgoing.end();
      });
  });
});
server.listen(Number(process.argv[2] ?? 3301), "127.0.0.1", () => process.send?.("ready"));
