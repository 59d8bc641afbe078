import { z } from "zod";
import { DEFAULT_TRUSTED_PROXIES } from "./client-address";

/**
 * APP_ENCRYPTION_KEY: the 32-byte master key that seals merchant secrets in the database, written as 64 hex digits
 * or as base64 / base64url. `npm start` generates one into .data/ when it is unset.
 */
export const encryptionKeySchema = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const key = /^[0-9a-fA-F]{64}$/.test(text)
      ? Buffer.from(text, "hex")
      : /^[A-Za-z0-9+/_-]{43}=?$/.test(text)
        ? Buffer.from(text, "base64")
        : undefined;
    if (key?.length === 32) return key;
    // The value itself is never echoed: it is a secret.
    ctx.addIssue({ code: "custom", message: "APP_ENCRYPTION_KEY must be 32 bytes, as 64 hex digits or base64" });
    return z.NEVER;
  });

/** "true" or "false" (unset: false); anything else is a mistake worth stopping for. */
const booleanFlag = z
  .enum(["true", "false"])
  .default("false")
  .transform((value) => value === "true");

/**
 * The server's environment, validated once. `scripts/start.ts` fills in what a fresh machine lacks
 * (DATABASE_URL from the embedded database, AUTH_SECRET from .data/) before the app starts, so inside the app
 * both are required.
 */
const serverEnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url(),
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters"),
  APP_URL: z.string().url().default("http://localhost:3000"),
  REFUND_NOTIFY_URL: z.string().url().optional(),
  PAYMENT_NOTIFY_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  LOGIN_LOCK_MINUTES: z.coerce.number().int().min(1).default(15),
  /** How many proxies in front of the console append to X-Forwarded-For (lib/client-address.ts). */
  TRUSTED_PROXIES: z.coerce.number().int().min(1).max(10).default(DEFAULT_TRUSTED_PROXIES),
  /** How long finished webhook deliveries, their logged attempts and their events are kept, in days. */
  WEBHOOK_HISTORY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** How long refused (unverified) callbacks are kept, in days; verified ones are kept for good. */
  REFUSED_CALLBACK_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  /**
   * Before a refund of an order imported from WeChat Pay, the console asks WeChat again about the order and its
   * refunds when it last did longer ago than this (refunds made in the merchant platform meanwhile).
   */
  ORDER_RECHECK_AFTER_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  /** Bearer token for /api/metrics; unset, the endpoint does not exist. */
  METRICS_TOKEN: z.string().min(16, "METRICS_TOKEN must be at least 16 characters").optional(),
  /**
   * Development only: lets webhook endpoints and alert robots use plain http and private, loopback and link-local
   * addresses (the simulator's robot receiver). Never in production: it opens the console to SSRF.
   */
  WEBHOOKS_ALLOW_PRIVATE: booleanFlag,
  /** Minutes a refund may stay PENDING or PROCESSING before operators are alerted about it. */
  ALERT_STUCK_MINUTES: z.coerce.number().int().min(5).max(10_080).default(60),
  /** Optional here: only merchants whose credentials are uploaded in the browser need it. */
  APP_ENCRYPTION_KEY: encryptionKeySchema.optional(),
  /**
   * `transaction` when DATABASE_URL leads to a transaction-mode pooler (PgBouncer before 1.21, which cannot keep
   * prepared statements): nothing is prepared, and the per-pool session settings are applied in each transaction.
   * `session` (the default) for a direct connection or a session-mode pooler. docs/scaling.md.
   */
  DATABASE_POOL_MODE: z.enum(["session", "transaction"]).default("session"),
  /** WeChat: refunds of one order at least a minute apart. Tests and the simulator shorten it; never past an hour. */
  REFUND_ORDER_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /**
   * The most refunds per second and merchant a bulk run feeds to the submission queue (1–150): WeChat Pay accepts
   * 150, and single refunds share the same limit.
   */
  BULK_ROWS_PER_SECOND: z.coerce.number().int().min(1).max(150).default(100),
});

export type ServerEnv = z.infer<typeof serverEnvSchema>;

/**
 * The process's variables, read here and nowhere else in the console. Most are validated by the schema above; the
 * merchant credentials a deployment may keep in the environment (WECHATPAY_*, ADR 008) are validated by
 * `lib/wechatpay/config.ts`, which is handed this object (or a test's own variables).
 */
export const processEnv: Readonly<Record<string, string | undefined>> = process.env;

/** One line of the start-up error: the variable and what is wrong with it (never its value: it may be a secret). */
const problem = (issue: { path: PropertyKey[]; message: string }, name?: string) =>
  `  ${[name, ...issue.path].filter((p) => p !== undefined).join(".")}: ${issue.message}`;

let cached: ServerEnv | undefined;

export function serverEnv(source: Readonly<Record<string, string | undefined>> = processEnv): ServerEnv {
  if (source === processEnv && cached) return cached;
  const parsed = serverEnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => problem(issue));
    throw new Error(`Invalid environment:\n${problems.join("\n")}`);
  }
  if (source === processEnv) cached = parsed.data;
  return parsed.data;
}

type Setting = keyof ServerEnv;

/**
 * One variable alone, validated by the same schema, for code that needs it without the rest of the server's
 * environment (the workers, the proxy, a test). A bad value fails at once, naming the variable — never silently
 * replaced by its default.
 */
export function envSetting<K extends Setting>(
  name: K,
  source: Readonly<Record<string, string | undefined>> = processEnv,
): ServerEnv[K] {
  const parsed = serverEnvSchema.shape[name].safeParse(source[name]);
  if (!parsed.success) throw new Error(`Invalid environment:\n${problem(parsed.error.issues[0]!, name)}`);
  return parsed.data as ServerEnv[K];
}

/** TRUSTED_PROXIES, read where a request's address is needed (route handlers, actions, callbacks). */
export const trustedProxies = (source?: Readonly<Record<string, string | undefined>>) =>
  envSetting("TRUSTED_PROXIES", source);

/** ORDER_RECHECK_AFTER_SECONDS in milliseconds, read where a refund is requested (the action, the merchant API). */
export const orderRecheckAfterMs = (source?: Readonly<Record<string, string | undefined>>) =>
  envSetting("ORDER_RECHECK_AFTER_SECONDS", source) * 1000;

/** WEBHOOKS_ALLOW_PRIVATE, read by webhook deliveries and alert robots. */
export const webhooksAllowPrivate = (source?: Readonly<Record<string, string | undefined>>) =>
  envSetting("WEBHOOKS_ALLOW_PRIVATE", source);
