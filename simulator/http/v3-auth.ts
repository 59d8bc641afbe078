/**
 * APIv3 on the gateway side: checking the merchant's `Authorization`, and signing every answer with the platform
 * key of the merchant (`Wechatpay-*` headers and a `Request-ID`), errors included.
 */
import { randomBytes } from "node:crypto";
import { err, ok, type Result } from "../../lib/result";
import { normalizeSerial } from "../../lib/wechatpay/v3/certificates";
import { parseAuthorization, verifyAuthorization } from "../../lib/wechatpay/v3/sign";
import { MAX_CLOCK_SKEW_SECONDS, signResponse } from "../../lib/wechatpay/v3/verify";
import { v3Error, violation, type Violation } from "../domain/violations";
import { signerOf } from "../domain/wire";
import { privateKeyOf, publicKeyOf } from "../keys";
import type { Merchant, SimState } from "../state/schema";
import { header, json, type Answer, type ApiRequest, type Handled } from "./io";

/** WeChat's Request-ID: an opaque hex string that support staff ask for. */
function requestId(): string {
  return randomBytes(16).toString("hex").toUpperCase();
}

/** A JSON answer signed with the merchant's platform key, in the merchant's signing mode. */
export function signedAnswer(merchant: Merchant, status: number, payload: unknown, now: number): Answer {
  const body = JSON.stringify(payload);
  const { privateKeyPem, serial } = signerOf(merchant);
  const signed = signResponse({
    body,
    privateKey: privateKeyOf(privateKeyPem),
    serial,
    timestamp: String(Math.floor(now / 1000)),
  });
  // Provisioning only ever stores RSA private keys, so signing cannot fail here.
  if (!signed.ok) throw new Error(`platform key of ${merchant.mchid} cannot sign: ${signed.error.detail}`);
  return json(status, payload, { ...signed.value, "Request-ID": requestId() });
}

/**
 * A WeChat error answer: plain JSON, never signed — WeChat signs only successful answers (the official SDKs read an
 * error's code without verifying it), so a client that insisted on a signature would never see why it failed.
 */
export function errorAnswer(merchant: Merchant | undefined, v: Violation): Handled {
  const { status, body } = v3Error(v);
  return { answer: json(status, body, { "Request-ID": requestId() }), mchid: merchant?.mchid, code: body.code };
}

/**
 * The merchant whose key signed this request. Every failure is 401 SIGN_ERROR, as WeChat answers it; the
 * message says which check failed, which WeChat does not, but a simulator should help whoever debugs against it.
 */
export function authenticate(state: SimState, req: ApiRequest, now: number): Result<Merchant, Handled> {
  const value = header(req, "authorization");
  if (!value) return err(errorAnswer(undefined, violation("SIGN", "缺少 Authorization 请求头")));
  const parsed = parseAuthorization(value);
  if (!parsed.ok)
    return err(errorAnswer(undefined, violation("SIGN", `Authorization 格式错误: ${parsed.error.detail}`)));
  const auth = parsed.value;
  const merchant = Object.hasOwn(state.merchants, auth.mchid) ? state.merchants[auth.mchid] : undefined;
  if (!merchant) return err(errorAnswer(undefined, violation("SIGN", `商户号 ${auth.mchid} 不存在`)));
  const refuse = (message: string) => err(errorAnswer(merchant, violation("SIGN", message)));
  if (normalizeSerial(auth.serialNo) !== normalizeSerial(merchant.merchantSerialNo)) {
    return refuse(`商户证书序列号 ${auth.serialNo} 不正确`);
  }
  if (Math.abs(Math.floor(now / 1000) - Number(auth.timestamp)) > MAX_CLOCK_SKEW_SECONDS) {
    return refuse("请求时间戳与当前时间相差超过5分钟");
  }
  const request = { method: req.method, pathWithQuery: req.pathWithQuery, body: req.body };
  if (!verifyAuthorization(auth, request, publicKeyOf(merchant.merchantPublicKeyPem))) {
    return refuse("签名验证失败");
  }
  return ok(merchant);
}
