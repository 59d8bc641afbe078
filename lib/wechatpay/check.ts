import type { Db } from "../db/client";
import type { BilingualText } from "../i18n-text";
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
  message: BilingualText;
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

const found = (code: CheckCode, zh: string, en: string, detail?: string): CheckFinding => ({
  code,
  ok: false,
  message: { zh, en },
  ...(detail ? { detail } : {}),
});

/**
 * Whether WeChat can reach the notify URL. A loopback URL is fine only when the gateway is on this machine too (the
 * bundled simulator); for WeChat Pay itself it must be public https on 443 without a query.
 */
export function notifyUrlFinding(notifyUrl: string, baseUrl: string): CheckFinding | undefined {
  const problem = notifyUrlProblem(notifyUrl);
  if (problem)
    return found(
      "NOTIFY_URL",
      `退款结果通知地址 ${notifyUrl} 不可用：${problem}。请设置 REFUND_NOTIFY_URL 或 APP_URL。`,
      `The refund notify URL ${notifyUrl} ${problem}. Set REFUND_NOTIFY_URL or APP_URL.`,
    );
  if (isLoopbackUrl(notifyUrl) && !isLoopbackUrl(baseUrl)) {
    return found(
      "NOTIFY_URL",
      `退款结果通知地址 ${notifyUrl} 指向本机，微信支付无法从外网访问。请将 APP_URL 或 REFUND_NOTIFY_URL 设为公网 https 地址（443 端口）。`,
      `The refund notify URL ${notifyUrl} points at this machine: WeChat Pay cannot reach it from outside. Set APP_URL or REFUND_NOTIFY_URL to the public https URL (port 443).`,
    );
  }
  return undefined;
}

const clockSkew = (detail: string) =>
  found(
    "CLOCK_SKEW",
    "本机时钟与微信支付相差超过 5 分钟，微信支付会拒绝请求签名。请校准服务器时间（NTP）。",
    "This machine's clock is more than 5 minutes away from WeChat Pay's, so WeChat Pay refuses the request signatures: synchronise it (NTP).",
    detail,
  );

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
    return found(
      "BASE_URL_UNREACHABLE",
      `无法连接微信支付接口 ${baseUrl}（WECHATPAY_BASE_URL）：网络不通、域名无法解析或 TLS 失败。`,
      `WeChat Pay's API at ${baseUrl} (WECHATPAY_BASE_URL) cannot be reached: no route, no DNS answer, or TLS failed.`,
      detail,
    );
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
      return found(
        "BASE_URL_UNREACHABLE",
        "无法连接微信支付接口（WECHATPAY_BASE_URL）：网络不通、域名无法解析或 TLS 失败。",
        "WeChat Pay's API (WECHATPAY_BASE_URL) cannot be reached: no route, no DNS answer, or TLS failed.",
        detail,
      );
    case "SIGN_ERROR":
      return found(
        "SIGNATURE_REJECTED",
        `微信支付拒绝了请求签名：商户号 ${mchid} 与商户API证书序列号（WECHATPAY_MERCHANT_SERIAL_NO）不对应，或商户私钥（WECHATPAY_MERCHANT_PRIVATE_KEY）不是该证书的私钥。`,
        `WeChat Pay refused the request's signature: the merchant ID ${mchid} and the API certificate serial number (WECHATPAY_MERCHANT_SERIAL_NO) do not belong together, or the private key (WECHATPAY_MERCHANT_PRIVATE_KEY) is not that certificate's.`,
        detail,
      );
    case "MCH_NOT_EXISTS":
      return found(
        "MCHID_UNKNOWN",
        `微信支付不认识商户号 ${mchid}（WECHATPAY_MCHID）。`,
        `WeChat Pay does not know the merchant ID ${mchid} (WECHATPAY_MCHID).`,
        detail,
      );
    case "NO_AUTH":
      return found(
        "NO_AUTH",
        "商户没有调用该接口的权限，请在商户平台检查产品权限。",
        "The merchant may not call this API: check the product permissions in the merchant platform.",
        detail,
      );
    default:
      return found(
        "UNEXPECTED",
        `微信支付返回了意外的结果（${error.code}）。`,
        `WeChat Pay answered unexpectedly (${error.code}).`,
        detail,
      );
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
  if (!v3.ok) return [found("CONFIG", "APIv3 配置不完整。", "The APIv3 configuration is incomplete.", v3.error.detail)];
  const unreachable = await reachability(credentials.baseUrl, "/v3/certificates", now, timeoutMs);
  if (unreachable) return [unreachable];
  const { client } = createV3Client(v3.value, { now, timeoutMs });
  const answer = await client.downloadCertificates();
  if (!answer.ok) return [callFinding(answer.error, credentials.mchid)];

  const findings: CheckFinding[] = [];
  const certificates = decryptCertificates(answer.value.body, v3.value.apiV3Key);
  if (!certificates.ok) {
    findings.push(
      found(
        "APIV3_KEY_WRONG",
        "APIv3 密钥（WECHATPAY_APIV3_KEY）无法解密微信支付平台证书：密钥有误，或已在商户平台重新设置。",
        "The APIv3 key (WECHATPAY_APIV3_KEY) does not decrypt WeChat Pay's platform certificates: it is wrong, or it was reset in the merchant platform.",
        certificates.error.code,
      ),
    );
  }
  const serial = headerValue(answer.value.headers, "Wechatpay-Serial") ?? "";
  if (credentials.publicKeyId && credentials.publicKey) {
    if (serial.startsWith("PUB_KEY_ID_") && serial !== credentials.publicKeyId) {
      findings.push(
        found(
          "PUBLIC_KEY_ID_UNKNOWN",
          `微信支付公钥 ID（WECHATPAY_PUBLIC_KEY_ID=${credentials.publicKeyId}）与微信支付使用的 ${serial} 不一致。`,
          `The WeChat Pay public key id (WECHATPAY_PUBLIC_KEY_ID=${credentials.publicKeyId}) is not the one WeChat Pay uses (${serial}).`,
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
        findings.push(
          found(
            "PUBLIC_KEY_WRONG",
            "微信支付的应答无法用配置的微信支付公钥（WECHATPAY_PUBLIC_KEY）验证：公钥文件与公钥 ID 不对应。",
            "WeChat Pay's answer does not verify with the configured public key (WECHATPAY_PUBLIC_KEY): the key file does not belong to the public key id.",
            verified.error.code,
          ),
        );
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
  if (!v2.ok) return [found("CONFIG", "APIv2 配置不完整。", "The APIv2 configuration is incomplete.", v2.error.detail)];
  const unreachable = await reachability(credentials.baseUrl, "/pay/refundquery", now, timeoutMs);
  if (unreachable) return [unreachable];
  const answer = await queryRefundV2(v2.value, { outRefundNo: `CHECK${Date.now()}` }, { timeoutMs });
  if (answer.ok || answer.error.code === "RESOURCE_NOT_EXISTS") return [];
  if (answer.error.code === "SIGN_ERROR") {
    return [
      found(
        "APIV2_KEY_WRONG",
        "微信支付拒绝了 APIv2 签名：API 密钥（WECHATPAY_APIV2_KEY）或签名类型有误。",
        "WeChat Pay refused the APIv2 signature: the API key (WECHATPAY_APIV2_KEY) or the sign type is wrong.",
        answer.error.detail,
      ),
    ];
  }
  if (answer.error.code === "CLIENT_CERT_INVALID") {
    return [
      found(
        "CLIENT_CERT_INVALID",
        "商户 API 证书（apiclient_cert.p12）无法使用：文件或密码有误。",
        "The merchant API certificate (apiclient_cert.p12) cannot be used: the file or its password is wrong.",
        answer.error.detail,
      ),
    ];
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
      message: {
        zh: `已用商户号 ${input.credentials.mchid} 成功连接微信支付（${input.apiVersion}）。`,
        en: `Connected to WeChat Pay as merchant ${input.credentials.mchid} (${input.apiVersion}).`,
      },
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
    findings: [
      found(
        "CONFIG",
        "该商户的微信支付配置无法使用。",
        "This merchant's WeChat Pay configuration cannot be used.",
        detail,
      ),
    ],
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
