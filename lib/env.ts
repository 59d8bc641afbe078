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
  /** How long refused (unverified) callbacks are kept, in days; verified ones are kept for good. */
  REFUSED_CALLBACK_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(14),
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
});

export type ServerEnv = z.infer<typeof serverEnvSchema>;

let cached: ServerEnv | undefined;

export function serverEnv(source: NodeJS.ProcessEnv = process.env): ServerEnv {
  if (source === process.env && cached) return cached;
  const parsed = serverEnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid environment:\n${problems}`);
  }
  if (source === process.env) cached = parsed.data;
  return parsed.data;
}

/**
 * TRUSTED_PROXIES alone, read where a request's address is needed (route handlers, actions, callbacks) without
 * requiring the rest of the server's environment.
 */
export function trustedProxies(source: NodeJS.ProcessEnv = process.env): number {
  return serverEnvSchema.shape.TRUSTED_PROXIES.parse(source.TRUSTED_PROXIES);
}

/** WEBHOOKS_ALLOW_PRIVATE alone, read by webhook deliveries and alert robots without the rest of the environment. */
export function webhooksAllowPrivate(source: NodeJS.ProcessEnv = process.env): boolean {
  return serverEnvSchema.shape.WEBHOOKS_ALLOW_PRIVATE.parse(source.WEBHOOKS_ALLOW_PRIVATE);
}
