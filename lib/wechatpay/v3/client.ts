import { err, ok, type Result } from "../../result";
import type { V3Credentials } from "../config";
import { wechatPayError, type WechatPayError } from "../errors";
import { sendHttp, sendHttpBytes, type HttpRequest, type HttpResponse } from "../http";
import type { SignedBody } from "./certificates";
import { PlatformKeyStore, type PlatformKeys } from "./key-store";
import { encryptSensitive } from "./oaep";
import {
  abnormalRefundInputSchema,
  applyRefundInputSchema,
  checkInput,
  outRefundNoSchema,
  refundIdSchema,
  subMchidSchema,
  type AbnormalRefundInput,
  type ApplyRefundInput,
} from "./refund-requests";
import { refundSchema, transactionQuerySchema, type Refund, type TransactionQuery } from "./schemas";
import { errorAnswer, parseAnswer, parseJson, unexpectedAnswer, verifyAnswer } from "./answer";
import { transactionRefSchema, type TransactionRef } from "../transaction-ref";
import { buildAuthorization, unixSeconds } from "./sign";
import type { KeyResolver } from "./verify";

export interface V3ClientOptions {
  credentials: V3Credentials;
  keys: PlatformKeys;
  /** Whole-exchange timeout; default 10 s. */
  timeoutMs?: number;
  /** Milliseconds since the epoch, for signing and for the timestamp window. */
  now?: () => number;
}

/** Typed calls to the APIv3 refund endpoints. Every answer, error answers included, is verified before it is read. */
export class WechatPayV3Client {
  private readonly options: V3ClientOptions;

  constructor(options: V3ClientOptions) {
    this.options = options;
  }

  /** POST /v3/refund/domestic/refunds. Idempotent per out_refund_no: resend with the same number, never a new one. */
  async applyRefund(input: ApplyRefundInput): Promise<Result<Refund, WechatPayError>> {
    const checked = checkInput(applyRefundInputSchema, input);
    if (!checked.ok) return checked;
    const { sub_mchid, ...rest } = checked.value;
    const subMchid = sub_mchid ?? this.options.credentials.subMchid;
    const body = JSON.stringify(subMchid ? { sub_mchid: subMchid, ...rest } : rest);
    const request = { method: "POST", path: "/v3/refund/domestic/refunds", body } as const;
    return this.refundCall(request, { out_refund_no: rest.out_refund_no });
  }

  /** GET /v3/refund/domestic/refunds/{out_refund_no} (`?sub_mchid=` in partner mode). */
  async queryRefund(
    outRefundNo: string,
    options: { sub_mchid?: string } = {},
  ): Promise<Result<Refund, WechatPayError>> {
    const no = checkInput(outRefundNoSchema, outRefundNo);
    if (!no.ok) return no;
    const sub = checkInput(subMchidSchema.optional(), options.sub_mchid ?? this.options.credentials.subMchid);
    if (!sub.ok) return sub;
    const query = sub.value ? `?sub_mchid=${sub.value}` : "";
    const path = `/v3/refund/domestic/refunds/${encodeURIComponent(no.value)}${query}`;
    return this.refundCall({ method: "GET", path, body: "" }, { out_refund_no: no.value });
  }

  /**
   * POST /v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund: where the money of an ABNORMAL refund goes.
   * The payer's bank account and name travel RSA-OAEP encrypted, and `Wechatpay-Serial` names the key used.
   */
  async applyAbnormalRefund(refundId: string, input: AbnormalRefundInput): Promise<Result<Refund, WechatPayError>> {
    const id = checkInput(refundIdSchema, refundId);
    if (!id.ok) return id;
    const checked = checkInput(abnormalRefundInputSchema, input);
    if (!checked.ok) return checked;
    const { sub_mchid, bank_account, real_name, ...rest } = checked.value;
    const subMchid = sub_mchid ?? this.options.credentials.subMchid;
    const headers: Record<string, string> = {};
    const encrypted: { bank_account?: string; real_name?: string } = {};
    if (bank_account !== undefined || real_name !== undefined) {
      const target = await this.options.keys.encryptionKey();
      if (!target) return err(wechatPayError("config", "NO_PLATFORM_KEY", "no platform key to encrypt bank details"));
      for (const [field, value] of [
        ["bank_account", bank_account],
        ["real_name", real_name],
      ] as const) {
        if (value === undefined) continue;
        const sealed = encryptSensitive(value, target.key);
        if (!sealed.ok) return sealed;
        encrypted[field] = sealed.value;
      }
      headers["Wechatpay-Serial"] = target.serial;
    }
    const body = JSON.stringify({ ...(subMchid ? { sub_mchid: subMchid } : {}), ...rest, ...encrypted });
    const path = `/v3/refund/domestic/refunds/${id.value}/apply-abnormal-refund`;
    const expected = { out_refund_no: rest.out_refund_no, refund_id: id.value };
    return this.refundCall({ method: "POST", path, body, headers }, expected);
  }

  /**
   * 查询订单: `GET /v3/pay/transactions/id/{transaction_id}?mchid=` or `…/out-trade-no/{out_trade_no}?mchid=`; in
   * partner mode `/v3/pay/partner/transactions/…?sp_mchid=&sub_mchid=`. The verified answer must be about the payment
   * asked for and this merchant.
   */
  async queryTransaction(ref: TransactionRef): Promise<Result<TransactionQuery, WechatPayError>> {
    const checked = checkInput(transactionRefSchema, ref);
    if (!checked.ok) return checked;
    const { mchid, subMchid } = this.options.credentials;
    const byId = "transactionId" in checked.value;
    const key = "transactionId" in checked.value ? checked.value.transactionId : checked.value.outTradeNo;
    const base = subMchid ? "/v3/pay/partner/transactions" : "/v3/pay/transactions";
    const query = subMchid ? `sp_mchid=${mchid}&sub_mchid=${subMchid}` : `mchid=${mchid}`;
    const path = `${base}/${byId ? "id" : "out-trade-no"}/${encodeURIComponent(key)}?${query}`;
    const answer = await this.getJson(path);
    if (!answer.ok) return answer;
    const parsed = parseAnswer(transactionQuerySchema, answer.value, 200);
    if (!parsed.ok) return parsed;
    const t = parsed.value;
    const named = byId ? t.transaction_id : t.out_trade_no;
    const merchantOk = subMchid ? t.sp_mchid === mchid && t.sub_mchid === subMchid : t.mchid === mchid;
    // Signed by WeChat, but about another payment or merchant: never import it as this one.
    if (named !== key || !merchantOk) return err(unexpectedAnswer(`answer is about another payment than ${key}`, 200));
    return ok(t);
  }

  /**
   * GET /v3/certificates, for PlatformKeyStore. A 2xx answer is returned unverified on purpose: it can only be
   * verified with the certificates inside it, which the store does after decrypting. Error answers are verified
   * here with keys already held (never by downloading again, which would recurse).
   */
  async downloadCertificates(): Promise<Result<SignedBody, WechatPayError>> {
    const response = await this.exchange({ method: "GET", path: "/v3/certificates", body: "" });
    if (!response.ok) return response;
    if (response.value.status >= 200 && response.value.status < 300) return ok(response.value);
    const lookup: KeyResolver = async (serial) => this.options.keys.lookup(serial);
    return errorAnswer(response.value, lookup, this.options.now);
  }

  /** GET of a signed JSON answer other than a refund (the tradebill answer): verified, then parsed. */
  async getJson(path: string): Promise<Result<unknown, WechatPayError>> {
    const response = await this.exchange({ method: "GET", path, body: "" });
    if (!response.ok) return response;
    const { resolve } = this.options.keys;
    if (response.value.status < 200 || response.value.status >= 300)
      return errorAnswer(response.value, resolve, this.options.now);
    const verified = await verifyAnswer(response.value, resolve, this.options.now);
    return verified.ok ? ok(parseJson(response.value.body)) : verified;
  }

  /**
   * GET of a file behind a download_url (a bill). The request is signed like every other; WeChat does not sign the
   * file, so the caller checks it against the hash of the signed answer that gave the URL. The URL must be on the
   * API's own origin: a signed request never goes anywhere else. `timeoutMs` replaces the client's deadline for a
   * file larger than an answer (a day's ALL bill).
   */
  async downloadFile(
    downloadUrl: string,
    maxResponseBytes: number,
    timeoutMs?: number,
  ): Promise<Result<Uint8Array, WechatPayError>> {
    let base: URL;
    let url: URL;
    try {
      base = new URL(this.options.credentials.baseUrl);
      url = new URL(downloadUrl);
    } catch {
      return err(unexpectedAnswer("download_url is not a URL", 200));
    }
    const prefix = base.pathname.replace(/\/+$/, "");
    if (url.origin !== base.origin || !url.pathname.startsWith(`${prefix}/`)) {
      return err(unexpectedAnswer(`download_url ${url.origin} is not the API's origin`, 200));
    }
    // A bill is a file, not JSON: ask for any type, as the official Java SDK's download does.
    const signed = this.signedRequest({
      method: "GET",
      path: url.pathname.slice(prefix.length) + url.search,
      body: "",
      headers: { Accept: "*/*" },
    });
    if (!signed.ok) return signed;
    const response = await sendHttpBytes({
      ...signed.value,
      maxResponseBytes,
      timeoutMs: timeoutMs ?? signed.value.timeoutMs,
    });
    if (!response.ok) return response;
    const { status, headers, bytes } = response.value;
    if (status >= 200 && status < 300) return ok(bytes);
    const body = Buffer.from(bytes).toString("utf8");
    return errorAnswer({ status, headers, body }, this.options.keys.resolve, this.options.now);
  }

  private async exchange(request: ApiRequest): Promise<Result<HttpResponse, WechatPayError>> {
    const signed = this.signedRequest(request);
    return signed.ok ? sendHttp(signed.value) : signed;
  }

  /** The request with its `Authorization`, ready to send. */
  private signedRequest(request: ApiRequest): Result<HttpRequest, WechatPayError> {
    const { method, path, body } = request;
    const { credentials } = this.options;
    let url: URL;
    try {
      url = new URL(`${credentials.baseUrl}${path}`);
    } catch {
      return err(wechatPayError("config", "CONFIG_INVALID", "baseUrl is not a URL"));
    }
    const authorization = buildAuthorization({
      mchid: credentials.mchid,
      serialNo: credentials.merchantSerialNo,
      privateKey: credentials.merchantPrivateKey,
      method,
      // Sign the path as it travels: a base URL with a path prefix (a simulator mount point) is part of it.
      pathWithQuery: url.pathname + url.search,
      body,
      timestamp: unixSeconds(this.now()),
    });
    if (!authorization.ok) return authorization;
    const headers: Record<string, string> = {
      Authorization: authorization.value,
      Accept: "application/json",
      // With a WeChat Pay public key, every request names it: during WeChat's switch from platform certificates, only
      // then are answers signed with the public key rather than a certificate the console may not hold.
      ...(credentials.publicKeyId ? { "Wechatpay-Serial": credentials.publicKeyId } : {}),
      ...(method === "POST" ? { "Content-Type": "application/json" } : {}),
      ...request.headers,
    };
    const { timeoutMs } = this.options;
    return ok({ method, url: url.href, headers, body: method === "POST" ? body : undefined, timeoutMs });
  }

  /** Sends, verifies, and reads a refund object that must be the one asked about. */
  private async refundCall(
    request: ApiRequest,
    expected: { out_refund_no: string; refund_id?: string },
  ): Promise<Result<Refund, WechatPayError>> {
    const response = await this.exchange(request);
    if (!response.ok) return response;
    const { status } = response.value;
    if (status < 200 || status >= 300) return errorAnswer(response.value, this.options.keys.resolve, this.options.now);

    const verified = await verifyAnswer(response.value, this.options.keys.resolve, this.options.now);
    if (!verified.ok) return verified;
    const parsed = parseAnswer(refundSchema, parseJson(response.value.body), status);
    if (!parsed.ok) return parsed;
    // Signed by WeChat, but about another refund: never let it update this one.
    const refund = parsed.value;
    const sameRefund = refund.out_refund_no === expected.out_refund_no;
    if (!sameRefund || (expected.refund_id !== undefined && refund.refund_id !== expected.refund_id)) {
      return err(
        unexpectedAnswer(`answer is about refund ${refund.out_refund_no}, not ${expected.out_refund_no}`, status),
      );
    }
    return ok(refund);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

/** A request as the endpoint methods describe it; `path` includes the query string. */
interface ApiRequest {
  method: "GET" | "POST";
  path: string;
  body: string;
  headers?: Record<string, string>;
}

/**
 * Wires a client to its platform keys from merchant credentials: the WeChat Pay public key when configured, and
 * platform certificates downloaded through the client itself — always without a public key, and beside one while the
 * merchant's certificates are still `trusted` (WeChat's switch period), fetched then only for a serial that is not
 * the public key's.
 */
export function createV3Client(
  credentials: V3Credentials,
  options: { timeoutMs?: number; now?: () => number; downloadCertificates?: boolean } = {},
): { client: WechatPayV3Client; keys: PlatformKeyStore } {
  const { publicKeyId, publicKey: key } = credentials;
  const publicKey = publicKeyId && key ? { id: publicKeyId, key } : undefined;
  const download =
    options.downloadCertificates ?? (publicKey === undefined || credentials.platformCertificates !== "retired");
  const keys: PlatformKeyStore = new PlatformKeyStore({
    publicKey,
    certificates: download ? { fetch: () => client.downloadCertificates(), apiV3Key: credentials.apiV3Key } : undefined,
    now: options.now,
  });
  const { timeoutMs, now } = options;
  const client: WechatPayV3Client = new WechatPayV3Client({ credentials, keys, timeoutMs, now });
  return { client, keys };
}
