import { createPrivateKey, createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import aead from "@/lib/wechatpay/v3/fixtures/wechatpay-java.aead_and_certificates.json";
import goRsa from "@/lib/wechatpay/v3/fixtures/wechatpay-go.rsa_sign_verify.json";
import requestSigning from "@/lib/wechatpay/v3/fixtures/DERIVED.v3_request_signing.json";
import notification from "@/lib/wechatpay/v3/fixtures/DERIVED.refund_notification_v3.json";
import { encryptResource, parseAuthorization, requestMessage, rsaSign, rsaVerify } from "./wire";

/** The stub's own wire rules against the official SDKs' known answers, so that tests built on it stand on WeChat's. */
describe("the documentation stub's wire rules", () => {
  it.each(requestSigning.cases)("signs and parses $method $canonical_url exactly as the SDK's vector", (c) => {
    expect(requestMessage(c.method, c.canonical_url, c.timestamp, c.nonce_str, c.body)).toBe(c.message);
    expect(rsaSign(createPrivateKey(goRsa.private_key_pkcs8_pem), c.message)).toBe(c.signature_base64);
    expect(parseAuthorization(c.authorization)).toEqual({
      scheme: "WECHATPAY2-SHA256-RSA2048",
      mchid: requestSigning.mchid,
      nonce_str: c.nonce_str,
      signature: c.signature_base64,
      timestamp: c.timestamp,
      serial_no: requestSigning.serial_no,
    });
  });

  it("refuses an Authorization header that lacks a part", () => {
    expect(
      parseAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1",serial_no="S"'),
    ).toBeUndefined();
    expect(parseAuthorization(null)).toBeUndefined();
  });

  it("encrypts a resource as wechatpay-java's AEAD_AES_256_GCM vector", () => {
    const c = aead.aead_case;
    expect(encryptResource(aead.apiv3_key, c.plaintext, c.associated_data, c.nonce)).toEqual({
      algorithm: "AEAD_AES_256_GCM",
      ciphertext: c.ciphertext_b64,
      associated_data: c.associated_data,
      nonce: c.nonce,
    });
  });

  it("verifies a documented callback signature in public-key mode, and nothing else", () => {
    const h = notification.headers_public_key_mode;
    const message = `${h["Wechatpay-Timestamp"]}\n${h["Wechatpay-Nonce"]}\n${notification.body}\n`;
    const key = createPublicKey(notification.public_key_pem);
    expect(rsaVerify(key, message, h["Wechatpay-Signature"])).toBe(true);
    expect(rsaVerify(key, message.replace("REFUND.SUCCESS", "REFUND.CLOSED"), h["Wechatpay-Signature"])).toBe(false);
  });
});
