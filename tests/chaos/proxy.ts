/**
 * Stands between the simulator's notifications and the console's instances, like a load balancer would: each callback
 * goes to one running instance (502 when none runs, so WeChat sends again). On the way it can be held back and
 * delivered later (delayed, out of order), replayed long after it was taken (a duplicate), or used as the starting
 * point of a forgery that the console must refuse.
 */
import { createServer, type Server } from "node:http";
import type { AppProcess } from "./world";

export interface Captured {
  headers: Record<string, string>;
  body: string;
}

export interface ProxyStats {
  forwarded: number;
  noInstance: number;
  held: number;
  replayed: number;
  forged: number;
  /** Answers to forgeries, by HTTP status. */
  forgedAnswers: Record<number, number>;
  /** 5xx answers of the console to genuine callbacks (an instance killed mid-request counts as 502 here). */
  serverErrors: number;
}

const KEPT_HEADERS = [
  "content-type",
  "wechatpay-timestamp",
  "wechatpay-nonce",
  "wechatpay-serial",
  "wechatpay-signature",
  "wechatpay-signature-type",
];

export class NotificationProxy {
  readonly captured: Captured[] = [];
  readonly stats: ProxyStats = {
    forwarded: 0,
    noInstance: 0,
    held: 0,
    replayed: 0,
    forged: 0,
    forgedAnswers: {},
    serverErrors: 0,
  };
  /** Probability that a callback is answered 503 now and also delivered again later by the proxy. */
  holdRate = 0;
  private server: Server | undefined;
  private next = 0;
  private pending = new Set<Promise<unknown>>();
  url = "";

  constructor(private readonly instances: () => AppProcess[]) {}

  async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const captured: Captured = { headers: {}, body: Buffer.concat(chunks).toString("utf8") };
        for (const name of KEPT_HEADERS) {
          const value = req.headers[name];
          if (typeof value === "string") captured.headers[name] = value;
        }
        this.captured.push(captured);
        if (Math.random() < this.holdRate) {
          // WeChat is told to try again, and the same bytes also arrive later from here: delayed and out of order.
          this.stats.held += 1;
          this.later(Math.random() * 3_000, () => this.send(captured));
          res.writeHead(503).end();
          return;
        }
        void this.send(captured).then(({ status, body }) =>
          res.writeHead(status, { "Content-Type": "application/json" }).end(body),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/api/notify/refund`;
  }

  /** Delivers to the next running instance; what the console answered, or 502 when nobody did. */
  async send(callback: Captured): Promise<{ status: number; body: string }> {
    const running = this.instances().filter((a) => a.running);
    if (running.length === 0) {
      this.stats.noInstance += 1;
      return { status: 502, body: "" };
    }
    const target = running[this.next++ % running.length]!;
    try {
      const response = await fetch(target.url, {
        method: "POST",
        headers: callback.headers,
        body: callback.body,
        signal: AbortSignal.timeout(10_000),
      });
      this.stats.forwarded += 1;
      if (response.status >= 500) this.stats.serverErrors += 1;
      return { status: response.status, body: await response.text() };
    } catch {
      // The instance died with the request in flight.
      this.stats.noInstance += 1;
      return { status: 502, body: "" };
    }
  }

  /** A genuine callback taken earlier, delivered again now. */
  replay(): void {
    const old = this.captured[Math.floor(Math.random() * this.captured.length)];
    if (!old) return;
    this.stats.replayed += 1;
    this.later(0, () => this.send(old));
  }

  /** A forgery made from a genuine callback; the console must refuse it (4xx) and change nothing. */
  forge(make: (genuine: Captured) => Captured): void {
    const genuine = this.captured[Math.floor(Math.random() * this.captured.length)];
    if (!genuine) return;
    this.stats.forged += 1;
    this.later(0, async () => {
      const { status } = await this.send(make(genuine));
      this.stats.forgedAnswers[status] = (this.stats.forgedAnswers[status] ?? 0) + 1;
    });
  }

  private later(ms: number, task: () => Promise<unknown>): void {
    const run = new Promise((resolve) => setTimeout(resolve, ms)).then(task).catch(() => {});
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
  }

  /** Waits for held and replayed deliveries still on their way. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    await this.drain();
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}
