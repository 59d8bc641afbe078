import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * The console's Prometheus metrics, one registry per process (every instance is scraped on its own; Next.js may load
 * this module more than once, so the registry lives on globalThis). Counters and the latency histogram are this
 * process's; the refund and queue gauges are read from the shared database at scrape time, so any instance reports
 * the same totals.
 */
export interface ConsoleMetrics {
  registry: Registry;
  gatewayCalls: Counter<"operation" | "outcome">;
  gatewayLatency: Histogram<"operation">;
  rateLimitWait: Histogram;
  callbacks: Counter<"kind" | "verification" | "outcome">;
  refunds: Gauge<"merchant" | "status">;
  queueDepth: Gauge<"queue">;
}

const globalForMetrics = globalThis as unknown as { consoleMetrics?: ConsoleMetrics };

function create(): ConsoleMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    gatewayCalls: new Counter({
      name: "wechatpay_requests_total",
      help: "Calls to WeChat Pay by operation and outcome: ok, or WeChat's (or the network's) error code.",
      labelNames: ["operation", "outcome"],
      registers: [registry],
    }),
    gatewayLatency: new Histogram({
      name: "wechatpay_request_duration_seconds",
      help: "Time a call to WeChat Pay took, answer verified, rate-limit wait excluded.",
      labelNames: ["operation"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers: [registry],
    }),
    rateLimitWait: new Histogram({
      name: "wechatpay_rate_limit_wait_seconds",
      help: "Time a call to WeChat Pay waited for the merchant's shared limit (150 requests/s, back-off on errors).",
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    callbacks: new Counter({
      name: "wechatpay_callbacks_total",
      help: "WeChat Pay callbacks received: verified (with what was done) or refused (with why).",
      labelNames: ["kind", "verification", "outcome"],
      registers: [registry],
    }),
    refunds: new Gauge({
      name: "refunds",
      help: "Refunds by merchant (mchid) and status, read from the database at scrape time.",
      labelNames: ["merchant", "status"],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: "job_queue_depth",
      help: "Jobs waiting in each pg-boss queue, read at scrape time.",
      labelNames: ["queue"],
      registers: [registry],
    }),
  };
}

export function consoleMetrics(): ConsoleMetrics {
  globalForMetrics.consoleMetrics ??= create();
  return globalForMetrics.consoleMetrics;
}

/** Counts one call to WeChat Pay and its latency. */
export function observeGatewayCall(operation: string, outcome: string, seconds: number): void {
  const metrics = consoleMetrics();
  metrics.gatewayCalls.inc({ operation, outcome });
  metrics.gatewayLatency.observe({ operation }, seconds);
}

/** How long one call waited for the shared rate limit before it was sent. */
export function observeRateLimitWait(seconds: number): void {
  consoleMetrics().rateLimitWait.observe(seconds);
}

/** Counts one callback: verified with the outcome of handling it, or refused with the refusal's code. */
export function observeCallback(kind: string, verification: "verified" | "refused", outcome: string): void {
  consoleMetrics().callbacks.inc({ kind, verification, outcome });
}
