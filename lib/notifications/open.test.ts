import { describe, expect, it } from "vitest";
import { API_V2_KEY, MCHID, v2Callback } from "../../tests/fixtures/notifications";
import type { Merchant } from "../db/schema";
import { redacting } from "../wechatpay/config";
import type { MerchantWechatPay } from "../wechatpay/merchant-gateways";
import { openV2 } from "./open";

const merchant = { id: "m-1", mchid: MCHID, subMchid: null } as Merchant;
const NEW_KEY = "newv2keynewv2keynewv2keynewv2key";

/** One credential set of the merchant: only the APIv2 key matters to an APIv2 callback. */
function set(apiV2Key: string, status: "active" | "standby"): MerchantWechatPay {
  return {
    merchant,
    credentials: redacting({ mchid: MCHID, baseUrl: "https://127.0.0.1:9", apiV2Key, signType: "HMAC-SHA256" }),
    gateway: {} as MerchantWechatPay["gateway"],
    credentialVersion: { version: status === "active" ? 2 : 1, status },
  };
}

describe("openV2 during a key rotation", () => {
  const refund = { outRefundNo: "R-V2-ROTATION", refundId: null, amountFen: 100 };
  const candidates = [set(NEW_KEY, "active"), set(API_V2_KEY, "standby")];

  it("opens a callback encrypted with the standby key, and acts with the active set", () => {
    const opened = openV2(candidates, Buffer.from(v2Callback(refund, "SUCCESS", API_V2_KEY)));
    expect(opened).toMatchObject({ ok: true, value: { notification: { refund: { out_refund_no: "R-V2-ROTATION" } } } });
    expect(opened.ok && opened.value.wechatPay.credentialVersion).toEqual({ version: 2, status: "active" });
  });

  it("opens one encrypted with the active key", () => {
    expect(openV2(candidates, Buffer.from(v2Callback(refund, "SUCCESS", NEW_KEY))).ok).toBe(true);
  });

  it("refuses one encrypted with a key the merchant no longer has", () => {
    const opened = openV2([set(NEW_KEY, "active")], Buffer.from(v2Callback(refund, "SUCCESS", API_V2_KEY)));
    expect(opened).toMatchObject({ ok: false, error: { code: "REQ_INFO_DECRYPT_FAILED" } });
  });
});
