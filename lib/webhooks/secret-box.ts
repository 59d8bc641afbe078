import { encryptionKeyFrom, open, seal } from "../crypto/seal";
import { processEnv } from "../env";
import { err, ok, type Result } from "../result";

/** Stored secrets sealed under APP_ENCRYPTION_KEY carry this prefix; anything else was stored as it is. */
const SEALED = "sealed:";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * A signing secret as it is stored: sealed with APP_ENCRYPTION_KEY (AES-256-GCM, bound to `owner`, e.g. the row's
 * table and id) when the key is set, as it is otherwise (ADR 016). It must stay readable: it signs every request.
 */
export function storeSecret(secret: string, owner: string, env: Env = processEnv): string {
  const key = encryptionKeyFrom(env);
  return key.ok ? `${SEALED}${seal(key.value, secret, owner)}` : secret;
}

/** The secret to sign with, or UNREADABLE: sealed under another key, tampered with, or moved to another row. */
export function readSecret(stored: string, owner: string, env: Env = processEnv): Result<string, "UNREADABLE"> {
  if (!stored.startsWith(SEALED)) return ok(stored);
  const key = encryptionKeyFrom(env);
  if (!key.ok) return err("UNREADABLE");
  const opened = open(key.value, stored.slice(SEALED.length), owner);
  return opened.ok ? ok(opened.value.toString("utf8")) : err("UNREADABLE");
}

export const endpointSecretOwner = (endpointId: string) => `webhook_endpoints:${endpointId}`;
export const channelSecretOwner = (channelId: string) => `alert_channels:${channelId}`;
