import { randomBytes } from "node:crypto";
import { desc } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import {
  API_V2_KEY,
  moneyState,
  newRefusalMinute,
  PLATFORM,
  post,
  processingRefund,
  refundResource,
  testMerchants,
  v2Callback,
  v3Callback,
} from "../../tests/fixtures/notifications";
import { createPaidOrder, createUser } from "../../tests/fixtures/orders";
import { notifications, type Refund } from "../db/schema";
import { javaPlatformKey } from "../wechatpay/v3/fixtures/keys";
import { signResponse } from "../wechatpay/v3/verify";
import { receiveRefundNotification } from "./receive";

type Callback = { headers: Record<string, string>; body: BodyInit };

/** Re-signs `body` the way WeChat would have: valid signature over these exact bytes. */
function signed(body: string, signer: { privateKey: typeof PLATFORM.privateKey; serial: string } = PLATFORM): Callback {
  const headers = signResponse({ body, ...signer });
  if (!headers.ok) throw new Error(headers.error.detail);
  return { headers: { ...headers.value, "Content-Type": "application/json" }, body };
}

describe("refused refund callbacks change nothing but the notifications log", () => {
  let t: TestDatabase;
  let refund: Refund;
  const success = () => v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS");

  beforeAll(async () => {
    t = await createTestDb();
    await createPaidOrder(t.db);
    const operator = await createUser(t.db, "operator");
    refund = await processingRefund(t.db, {
      actor: { id: operator.id, label: operator.email },
      userId: operator.id,
      orderIntervalMs: 0,
    });
  });
  afterAll(() => t.drop());

  /** Sends, then checks: one new `notifications` row, rejected with `code`, and nothing else changed. */
  async function expectRefused(callback: Callback, code: string, status = 400) {
    await newRefusalMinute(t.db);
    const before = await moneyState(t.db);
    const count = (await t.db.select().from(notifications)).length;
    const answer = await receiveRefundNotification(t.db, post("/api/notify/refund", callback.body, callback.headers), {
      merchants: testMerchants(t.db),
    });
    expect(answer.status).toBe(status);
    expect(await moneyState(t.db)).toEqual(before);
    const rows = await t.db.select().from(notifications).orderBy(desc(notifications.id));
    expect(rows).toHaveLength(count + 1);
    expect(rows[0]).toMatchObject({
      verification: "rejected",
      outcome: "rejected",
      rejectionCode: code,
      responseStatus: status,
      refundId: null,
    });
    return { answer, row: rows[0]! };
  }

  it("refuses WeChat's signature probe", async () => {
    const probe = success();
    probe.headers["Wechatpay-Signature"] = `WECHATPAY/SIGNTEST/${probe.headers["Wechatpay-Signature"]}`;
    const { answer, row } = await expectRefused(probe, "SIGNATURE_PROBE");
    expect(JSON.parse(answer.body)).toEqual({ code: "FAIL", message: "SIGNATURE_PROBE" });
    expect(row.decrypted).toBeNull();
  });

  it("refuses a bad signature", async () => {
    const callback = success();
    const other = signed(`${callback.body} `);
    await expectRefused(
      { ...callback, headers: { ...callback.headers, "Wechatpay-Signature": other.headers["Wechatpay-Signature"]! } },
      "SIGNATURE_INVALID",
    );
  });

  it("refuses a body re-serialised after signing", async () => {
    // WeChat's bytes (here: indented JSON) are signed; a proxy or framework that re-serialises them breaks the signature.
    const original = signed(JSON.stringify(JSON.parse(success().body), null, 2));
    await expectRefused(
      { ...original, body: JSON.stringify(JSON.parse(original.body as string)) },
      "SIGNATURE_INVALID",
    );
  });

  it("refuses a signature by another key under the configured serial", async () => {
    const callback = success();
    await expectRefused(
      signed(callback.body as string, { privateKey: javaPlatformKey.privateKey, serial: PLATFORM.serial }),
      "SIGNATURE_INVALID",
    );
  });

  it("refuses an unknown Wechatpay-Serial", async () => {
    await expectRefused(
      signed(success().body as string, { ...PLATFORM, serial: "PUB_KEY_ID_SOMEONE_ELSE" }),
      "UNKNOWN_SERIAL",
    );
  });

  it("refuses a timestamp more than five minutes old", async () => {
    const stale = String(Math.floor(Date.now() / 1000) - 301);
    await expectRefused(
      v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS", { timestamp: stale }),
      "TIMESTAMP_SKEW",
    );
  });

  it("refuses a tampered ciphertext, even when signed", async () => {
    const envelope = JSON.parse(success().body);
    const bytes = Buffer.from(envelope.resource.ciphertext, "base64");
    bytes[0]! ^= 0x01;
    envelope.resource.ciphertext = bytes.toString("base64");
    await expectRefused(signed(JSON.stringify(envelope)), "DECRYPTION_FAILED");
  });

  it("refuses wrong associated data", async () => {
    const envelope = JSON.parse(success().body);
    envelope.resource.associated_data = "transaction";
    await expectRefused(signed(JSON.stringify(envelope)), "DECRYPTION_FAILED");
  });

  it("refuses a resource encrypted with another APIv3 key", async () => {
    const callback = v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS", {
      apiV3Key: randomBytes(16).toString("hex"),
    });
    await expectRefused(callback, "DECRYPTION_FAILED");
  });

  it("refuses malformed JSON, even when signed", async () => {
    await expectRefused(signed('{"id": "x", "resource": '), "MALFORMED");
  });

  it("refuses APIv2 XML with a DTD, answering in XML", async () => {
    const xml = `<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>${v2Callback(refund, "SUCCESS")}`;
    const { answer } = await expectRefused({ headers: { "Content-Type": "text/xml" }, body: xml }, "XML_DTD_FORBIDDEN");
    expect(answer.contentType).toBe("text/xml");
    expect(answer.body).toContain("<return_code><![CDATA[FAIL]]></return_code>");
  });

  it("refuses an APIv2 req_info encrypted with another key", async () => {
    const xml = v2Callback(refund, "SUCCESS", API_V2_KEY.replace("v2", "x2"));
    await expectRefused({ headers: { "Content-Type": "text/xml" }, body: xml }, "REQ_INFO_DECRYPT_FAILED");
  });

  /** A body of `chunks` × 16 KiB that counts how much of it was pulled. */
  function streamed(chunks: number) {
    const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= chunks) return controller.close();
        pulled += 1;
        controller.enqueue(chunk);
      },
    });
    return { stream, pulled: () => pulled };
  }

  it("refuses an oversized body by its Content-Length, unread (413)", async () => {
    const body = streamed(5);
    const headers = { ...success().headers, "Content-Length": String(5 * 16 * 1024) };
    const { row } = await expectRefused({ headers, body: body.stream }, "BODY_TOO_LARGE", 413);
    expect(row.rawBody).toBe("");
    expect(body.pulled()).toBeLessThanOrEqual(1); // at most what the stream buffers by itself
  });

  it("refuses an oversized body without a Content-Length by counting bytes as they arrive (413)", async () => {
    const body = streamed(100);
    await expectRefused({ headers: success().headers, body: body.stream }, "BODY_TOO_LARGE", 413);
    // The reader stops past 64 KiB (five chunks), not at the end of the body.
    expect(body.pulled()).toBeLessThanOrEqual(6);
  });
});
