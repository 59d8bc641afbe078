import type { Db } from "../db/client";
import { msg, type Message } from "../message";
import { eq } from "drizzle-orm";
import { merchants } from "../db/schema";
import { loadMerchantCredentialsFromEnv, requireV3Credentials, type MerchantCredentials } from "./config";
import type { WechatPayError } from "./errors";
import { v2CredentialsOf } from "./gateway";
import { merchantWechatPay } from "./merchant-gateways";
import { isLoopbackUrl, notifyUrlProblem } from "./notify-url";
import { queryRefundV2 } from "./v2/client";
import { decryptCertificates } from "./v3/certificates";
import { createV3Client } from "./v3/client";
import { headerValue, verifySignature } from "./v3/verify";
import { processEnv } from "../env";

/** One finding of a configuration check: `ok`, or the problem found, named precisely for the operator. */
export interface CheckFinding {
  code: CheckCode;
  ok: boolean;
  message: Message;
  /** What WeChat or the network said, when that helps (never a secret). */
  detail?: string;
}

export type CheckCode =
  | "CONFIG"
  | "NOTIFY_URL"
  | "BASE_URL_UNREACHABLE"
  | "SIGNATURE_REJECTED"
  | "MCHID_UNKNOWN"
  | "NO_AUTH"
  | "APIV3_KEY_WRONG"
  | "PUBLIC_KEY_ID_UNKNOWN"
  | "PUBLIC_KEY_WRONG"
  | "CLOCK_SKEW"
  | "APIV2_KEY_WRONG"
  | "CLIENT_CERT_INVALID"
  | "UNEXPECTED"
  | "CONNECTED";

export interface CheckReport {
  ok: boolean;
  findings: CheckFinding[];
}

export interface CheckInput {
  credentials: MerchantCredentials;
  apiVersion: "v3" | "v2";
  /** Where WeChat will send refund results (REFUND_NOTIFY_URL, else APP_URL's route). */
  notifyUrl: string;
  now?: () => number;
  timeoutMs?: number;
}

/** WeChat refuses requests signed more than five minutes away from its clock. */
const MAX_SKEW_MS = 5 * 60_000;

const found = (code: CheckCode, message: Message, detail?: string): CheckFinding => ({
  code,
  ok: false,
  message,
  ...(detail ? { detail } : {}),
});

/**
 * Whether WeChat can reach the notify URL. A loopback URL is fine only when the gateway is on this machine too (the
 * bundled simulator); for WeChat Pay itself it must be public https on 443 without a query.
 */
export function notifyUrlFinding(notifyUrl: string, baseUrl: string): CheckFinding | undefined {
  const problem = notifyUrlProblem(notifyUrl);
  if (problem) return found("NOTIFY_URL", msg("outcomes.wechatpay.check.NOTIFY_URL", { notifyUrl, problem }));
  if (isLoopbackUrl(notifyUrl) && !isLoopbackUrl(baseUrl)) {
    return found("NOTIFY_URL", msg("outcomes.wechatpay.check.NOTIFY_URL_LOOPBACK", { notifyUrl }));
  }
  return undefined;
}

const clockSkew = (detail: string) => found("CLOCK_SKEW", msg("outcomes.wechatpay.check.CLOCK_SKEW"), detail);

/**
 * Before any signed call: whether the API answers at all, and whether its clock (the HTTP `Date` of an unsigned
 * request's answer) agrees with ours — a skewed clock would otherwise look like a wrong key.
 */
async function reachability(
  baseUrl: string,
  path: string,
  now: () => number,
  timeoutMs: number,
): Promise<CheckFinding | undefined> {
  let answer: Response;
  try {
    answer = await fetch(`${baseUrl}${path}`, {
      method: "GET",
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await answer.body?.cancel();
  } catch (error) {
    const detail = String((error as { cause?: unknown }).cause ?? error).slice(0, 200);
    return found("BASE_URL_UNREACHABLE", msg("outcomes.wechatpay.check.BASE_URL_UNREACHABLE", { baseUrl }), detail);
  }
  const theirs = Date.parse(answer.headers.get("date") ?? "");
  if (Number.isFinite(theirs) && Math.abs(theirs - now()) > MAX_SKEW_MS) {
    return clockSkew(
      `WeChat Pay's time ${new Date(theirs).toISOString()}, this machine's ${new Date(now()).toISOString()}`,
    );
  }
  return undefined;
}

/** A failed signed call, told apart by what WeChat (or the network) answered. */
function callFinding(error: WechatPayError, mchid: string): CheckFinding {
  const detail = `${error.code}: ${error.detail}`;
  switch (error.code) {
    case "CONNECTION_FAILED":
    case "TIMEOUT":
    case "CONNECTION_RESET":
      return found("BASE_URL_UNREACHABLE", msg("outcomes.wechatpay.check.BASE_URL_UNREACHABLE_NO_ANSWER"), detail);
    case "SIGN_ERROR":
      return found("SIGNATURE_REJECTED", msg("outcomes.wechatpay.check.SIGNATURE_REJECTED", { mchid }), detail);
    case "MCH_NOT_EXISTS":
      return found("MCHID_UNKNOWN", msg("outcomes.wechatpay.check.MCHID_UNKNOWN", { mchid }), detail);
    case "NO_AUTH":
      return found("NO_AUTH", msg("outcomes.wechatpay.check.NO_AUTH"), detail);
    default:
      return found("UNEXPECTED", msg("outcomes.wechatpay.check.UNEXPECTED", { code: error.code }), detail);
  }
}

/**
 * APIv3: GET /v3/certificates, signed — harmless, and it exercises everything at once: the mchid, serial number and
 * private key (WeChat verifies the request), the APIv3 key (the certificates are encrypted under it), the public key
 * and its id (the answer is signed with it when the request names it), and the clocks (the answer's timestamp).
 */
async function checkV3(
  credentials: MerchantCredentials,
  now: () => number,
  timeoutMs: number,
): Promise<CheckFinding[]> {
  const v3 = requireV3Credentials(credentials);
  if (!v3.ok) return [found("CONFIG", msg("outcomes.wechatpay.check.CONFIG_V3"), v3.error.detail)];
  const unreachable = await reachability(credentials.baseUrl, "/v3/certificates", now, timeoutMs);
  if (unreachable) return [unreachable];
  const { client } = createV3Client(v3.value, { now, timeoutMs });
  const answer = await client.downloadCertificates();
  if (!answer.ok) return [callFinding(answer.error, credentials.mchid)];

  const findings: CheckFinding[] = [];
  const certificates = decryptCertificates(answer.value.body, v3.value.apiV3Key);
  if (!certificates.ok) {
    findings.push(found("APIV3_KEY_WRONG", msg("outcomes.wechatpay.check.APIV3_KEY_WRONG"), certificates.error.code));
  }
  const serial = headerValue(answer.value.headers, "Wechatpay-Serial") ?? "";
  if (credentials.publicKeyId && credentials.publicKey) {
    if (serial.startsWith("PUB_KEY_ID_") && serial !== credentials.publicKeyId) {
      findings.push(
        found(
          "PUBLIC_KEY_ID_UNKNOWN",
          msg("outcomes.wechatpay.check.PUBLIC_KEY_ID_UNKNOWN", { publicKeyId: credentials.publicKeyId, serial }),
        ),
      );
    } else if (serial === credentials.publicKeyId) {
      const key = credentials.publicKey;
      const verified = await verifySignature(
        answer.value,
        async (s) => (s === credentials.publicKeyId ? key : undefined),
        { now },
      );
      if (!verified.ok && verified.error.code !== "TIMESTAMP_SKEW") {
        findings.push(found("PUBLIC_KEY_WRONG", msg("outcomes.wechatpay.check.PUBLIC_KEY_WRONG"), verified.error.code));
      }
    }
  }
  return findings;
}

/** APIv2: 查询退款 of a number that cannot exist. REFUNDNOTEXIST means the mchid, API key and signature all passed. */
async function checkV2(
  credentials: MerchantCredentials,
  now: () => number,
  timeoutMs: number,
): Promise<CheckFinding[]> {
  const v2 = v2CredentialsOf(credentials);
  if (!v2.ok) return [found("CONFIG", msg("outcomes.wechatpay.check.CONFIG_V2"), v2.error.detail)];
  const unreachable = await reachability(credentials.baseUrl, "/pay/refundquery", now, timeoutMs);
  if (unreachable) return [unreachable];
  const answer = await queryRefundV2(v2.value, { outRefundNo: `CHECK${Date.now()}` }, { timeoutMs });
  if (answer.ok || answer.error.code === "RESOURCE_NOT_EXISTS") return [];
  if (answer.error.code === "SIGN_ERROR") {
    return [found("APIV2_KEY_WRONG", msg("outcomes.wechatpay.check.APIV2_KEY_WRONG"), answer.error.detail)];
  }
  if (answer.error.code === "CLIENT_CERT_INVALID") {
    return [found("CLIENT_CERT_INVALID", msg("outcomes.wechatpay.check.CLIENT_CERT_INVALID"), answer.error.detail)];
  }
  return [callFinding(answer.error, credentials.mchid)];
}

/**
 * Checks a merchant's WeChat Pay configuration before its first refund, with one signed, harmless call, and says in
 * Chinese and English exactly which part is wrong. Used by `npm run wechatpay:check`, the merchant page's "Test
 * connection" button and the start-up log.
 */
export async function checkWechatPayConfiguration(input: CheckInput): Promise<CheckReport> {
  const now = input.now ?? Date.now;
  const timeoutMs = input.timeoutMs ?? 10_000;
  const findings: CheckFinding[] = [];
  const notify = notifyUrlFinding(input.notifyUrl, input.credentials.baseUrl);
  if (notify) findings.push(notify);
  findings.push(
    ...(input.apiVersion === "v3"
      ? await checkV3(input.credentials, now, timeoutMs)
      : await checkV2(input.credentials, now, timeoutMs)),
  );
  const ok = findings.length === 0;
  if (ok) {
    findings.push({
      code: "CONNECTED",
      ok: true,
      message: msg("outcomes.wechatpay.check.CONNECTED", {
        mchid: input.credentials.mchid,
        apiVersion: input.apiVersion,
      }),
    });
  }
  return { ok, findings };
}

/**
 * A merchant of the console, checked with the credentials the console would use for it: the WECHATPAY_* variables as
 * they are now for the configured merchant, the active uploaded version for the others.
 */
export async function checkMerchant(
  db: Db,
  merchantId: string,
  notifyUrl: string,
  env: Readonly<Record<string, string | undefined>> = processEnv,
): Promise<CheckReport> {
  const unusable = (detail: string): CheckReport => ({
    ok: false,
    findings: [found("CONFIG", msg("outcomes.wechatpay.check.CONFIG_UNUSABLE"), detail)],
  });
  const [merchant] = await db.select().from(merchants).where(eq(merchants.id, merchantId));
  if (!merchant) return unusable(`merchant ${merchantId} does not exist`);
  if (merchant.credentialsRef === "env") {
    const fromEnv = loadMerchantCredentialsFromEnv(env);
    if (!fromEnv.ok) return unusable(fromEnv.error.detail);
    if (fromEnv.value?.mchid !== merchant.mchid)
      return unusable(`WECHATPAY_MCHID does not name merchant ${merchant.mchid}`);
    return checkWechatPayConfiguration({ credentials: fromEnv.value, apiVersion: merchant.apiVersion, notifyUrl });
  }
  const wired = await merchantWechatPay(db, merchantId, env);
  if (!wired.ok) return unusable(`${wired.error.code}: ${wired.error.detail}`);
  return checkWechatPayConfiguration({
    credentials: wired.value.credentials,
    apiVersion: merchant.apiVersion,
    notifyUrl,
  });
}
