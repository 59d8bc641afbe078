import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";

/** `whsec_` and 32 random bytes in base64: the Standard Webhooks secret format every verifier library reads. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** How long the previous secret keeps signing after a rotation, so receivers can switch without losing events. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

/** The secrets that sign now: the current one, and the previous one while its overlap lasts. */
export function signingSecrets(
  endpoint: { secret: string; previousSecret: string | null; previousSecretExpiresAt: Date | null },
  now: Date,
): string[] {
  const previousValid =
    endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now;
  return previousValid ? [endpoint.secret, endpoint.previousSecret!] : [endpoint.secret];
}

/**
 * The Standard Webhooks headers of one attempt: `webhook-signature` carries one `v1,<base64>` per secret, separated
 * by spaces, so a receiver holding either secret verifies it. Signed by the `standardwebhooks` package itself.
 */
export function webhookHeaders(
  secrets: readonly string[],
  messageId: string,
  timestamp: Date,
  body: string,
): Record<string, string> {
  const signature = secrets.map((secret) => new Webhook(secret).sign(messageId, timestamp, body)).join(" ");
  return {
    "content-type": "application/json",
    "user-agent": "wechatpay-refund-console-webhooks/1",
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
    "webhook-signature": signature,
  };
}
