import { randomBytes } from "node:crypto";
import { desc } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as paymentPOST } from "@/app/api/notify/payment/route";
import { POST as refundPOST } from "@/app/api/notify/refund/route";
import { setDbForTests } from "@/lib/db/client";
import { notifications, type Refund } from "@/lib/db/schema";
import { javaPlatformKey } from "@/lib/wechatpay/v3/fixtures/keys";
import { signResponse } from "@/lib/wechatpay/v3/verify";
import { createTestDb, type TestDatabase } from "@/tests/db";
import { createMerchant } from "@/tests/fixtures/merchant-api";
import {
  API_V2_KEY,
  MERCHANT_ENV,
  moneyState,
  newRefusalMinute,
  PLATFORM,
  post,
  processingRefund,
  refundResource,
  v2Callback,
  v3Callback,
} from "@/tests/fixtures/notifications";
import { createUser } from "@/tests/fixtures/orders";

type Callback = { headers: Record<string, string>; body: BodyInit };
interface Hostile {
  name: string;
  make: () => Callback;
  status: number;
  /**
   * The rejection code recorded on the notification row; null for a genuine notification about a refund this
   * merchant does not have, which is "unmatched" (WeChat sends it again later) rather than refused.
   */
  code: string | null;
  route?: "refund" | "payment";
}

const json = { "Content-Type": "application/json" };
const xml = { "Content-Type": "text/xml" };

/** Signs `body` with WeChat's platform key, as a genuine callback would be: only the content is hostile. */
function signed(body: string, signer = PLATFORM, timestamp?: string): Callback {
  const headers = signResponse({ body, ...signer, timestamp });
  if (!headers.ok) throw new Error(headers.error.detail);
  return { headers: { ...headers.value, ...json }, body };
}

/** A genuine callback whose encrypted resource is altered after encryption, then signed again. */
function tampered(callback: Callback, change: (resource: Record<string, string>) => void): Callback {
  const envelope = JSON.parse(callback.body as string);
  change(envelope.resource);
  return signed(JSON.stringify(envelope));
}

const flip = (b64: string, at: number) => {
  const bytes = Buffer.from(b64, "base64");
  const i = at < 0 ? bytes.length + at : at;
  bytes[i]! ^= 0x01;
  return bytes.toString("base64");
};

/** A body that arrives `chunks` pieces at a time, `delayMs` apart, without a Content-Length. */
function trickle(text: string, chunks: number, delayMs: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const size = Math.ceil(bytes.length / chunks);
  let sent = 0;
  return new ReadableStream({
    async pull(controller) {
      if (sent >= bytes.length) return controller.close();
      await new Promise((r) => setTimeout(r, delayMs));
      controller.enqueue(bytes.slice(sent, sent + size));
      sent += size;
    },
  });
}

describe("hostile callbacks change nothing but the notifications log", () => {
  let t: TestDatabase;
  let refund: Refund;
  let foreignRefund: Refund;
  const success = (over: Record<string, unknown> = {}) =>
    v3Callback(refundResource(refund, "SUCCESS", over), "REFUND.SUCCESS");

  beforeAll(async () => {
    t = await createTestDb();
    setDbForTests(t.db);
    for (const [name, value] of Object.entries(MERCHANT_ENV)) vi.stubEnv(name, value);
    const operator = await createUser(t.db, "operator");
    const context = { actor: { id: operator.id, label: operator.email }, userId: operator.id, orderIntervalMs: 0 };
    refund = await processingRefund(t.db, context);
    // A refund of another merchant the console also serves (not configured for callbacks).
    foreignRefund = await processingRefund(t.db, context, { merchantId: (await createMerchant(t.db, "Other")).id });
  });
  afterAll(async () => {
    setDbForTests(undefined);
    vi.unstubAllEnvs();
    await t.drop();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const CORPUS: Hostile[] = [
    {
      name: "forged signature (random bytes)",
      make: () => ({
        ...success(),
        headers: { ...success().headers, "Wechatpay-Signature": randomBytes(256).toString("base64") },
      }),
      status: 400,
      code: "SIGNATURE_INVALID",
    },
    {
      name: "signature not base64",
      make: () => ({ ...success(), headers: { ...success().headers, "Wechatpay-Signature": "%%%not-base64%%%" } }),
      status: 400,
      code: "NOT_BASE64",
    },
    {
      name: "signature by another key under WeChat's serial",
      make: () => signed(success().body, { privateKey: javaPlatformKey.privateKey, serial: PLATFORM.serial }),
      status: 400,
      code: "SIGNATURE_INVALID",
    },
    {
      name: "replayed signature on another body",
      make: () => {
        const a = success();
        return { headers: a.headers, body: v3Callback(refundResource(refund, "CLOSED"), "REFUND.CLOSED").body };
      },
      status: 400,
      code: "SIGNATURE_INVALID",
    },
    {
      name: "replayed callback from ten minutes ago",
      make: () => v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS", { timestamp: String(now() - 600) }),
      status: 400,
      code: "TIMESTAMP_SKEW",
    },
    {
      name: "WECHATPAY/SIGNTEST/ probe",
      make: () => ({
        ...success(),
        headers: {
          ...success().headers,
          "Wechatpay-Signature": `WECHATPAY/SIGNTEST/${success().headers["Wechatpay-Signature"]}`,
        },
      }),
      status: 400,
      code: "SIGNATURE_PROBE",
    },
    {
      name: "body re-serialised after signing",
      make: () => ({ ...success(), body: JSON.stringify(JSON.parse(success().body), null, 2) }),
      status: 400,
      code: "SIGNATURE_INVALID",
    },
    {
      name: "body with a trailing newline added",
      make: () => ({ ...success(), body: `${success().body}\n` }),
      status: 400,
      code: "SIGNATURE_INVALID",
    },
    {
      name: "swapped serial (another key's id)",
      make: () => ({
        ...success(),
        headers: { ...success().headers, "Wechatpay-Serial": "PUB_KEY_ID_0114232134912410000000000000" },
      }),
      status: 400,
      code: "UNKNOWN_SERIAL",
    },
    {
      name: "missing signature headers",
      make: () => ({ headers: json, body: success().body }),
      status: 400,
      code: "HEADERS_MISSING",
    },
    {
      name: "clock skew: six minutes ahead",
      make: () => v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS", { timestamp: String(now() + 360) }),
      status: 400,
      code: "TIMESTAMP_SKEW",
    },
    {
      name: "clock skew: six minutes behind",
      make: () => v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS", { timestamp: String(now() - 360) }),
      status: 400,
      code: "TIMESTAMP_SKEW",
    },
    {
      name: "ciphertext tampered",
      make: () => tampered(success(), (r) => (r.ciphertext = flip(r.ciphertext!, 0))),
      status: 400,
      code: "DECRYPTION_FAILED",
    },
    {
      name: "GCM tag tampered",
      make: () => tampered(success(), (r) => (r.ciphertext = flip(r.ciphertext!, -1))),
      status: 400,
      code: "DECRYPTION_FAILED",
    },
    {
      name: "nonce tampered",
      make: () =>
        tampered(success(), (r) => (r.nonce = `${r.nonce!.slice(0, -1)}${r.nonce!.endsWith("a") ? "b" : "a"}`)),
      status: 400,
      code: "DECRYPTION_FAILED",
    },
    {
      name: "associated data tampered",
      make: () => tampered(success(), (r) => (r.associated_data = "transaction")),
      status: 400,
      code: "DECRYPTION_FAILED",
    },
    {
      name: "resource under another APIv3 key",
      make: () =>
        v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS", { apiV3Key: randomBytes(16).toString("hex") }),
      status: 400,
      code: "DECRYPTION_FAILED",
    },
    { name: "malformed JSON, signed", make: () => signed('{"id": "x", "resource": '), status: 400, code: "MALFORMED" },
    {
      name: "envelope with wrong types, signed",
      make: () => signed(JSON.stringify({ id: 1, create_time: [], event_type: {}, resource: "x" })),
      status: 400,
      code: "MALFORMED",
    },
    {
      name: "amount as a string",
      make: () =>
        success({
          amount: {
            total: "1000",
            refund: String(refund.amountFen),
            payer_total: 1000,
            payer_refund: refund.amountFen,
          },
        }),
      status: 400,
      code: "MALFORMED",
    },
    {
      name: "huge amount",
      make: () => success({ amount: { total: 1e30, refund: 1e30, payer_total: 1e30, payer_refund: 1e30 } }),
      status: 400,
      code: "MALFORMED",
    },
    {
      name: "negative amount",
      make: () => success({ amount: { total: 1000, refund: -600, payer_total: 1000, payer_refund: -600 } }),
      status: 400,
      code: "MALFORMED",
    },
    {
      name: "another amount than the refund's",
      make: () =>
        success({
          amount: { total: 1000, refund: refund.amountFen + 1, payer_total: 1000, payer_refund: refund.amountFen + 1 },
        }),
      status: 400,
      code: "AMOUNT_MISMATCH",
    },
    {
      // Signed bytes are parsed once, last key wins, and the amount is then checked against the refund.
      name: "duplicate keys in the resource (a second amount)",
      make: () => {
        const plain = JSON.stringify(refundResource(refund, "SUCCESS"));
        return v3Callback(
          `${plain.slice(0, -1)},"amount":{"total":1000,"refund":1,"payer_total":1000,"payer_refund":1}}`,
          "REFUND.SUCCESS",
        );
      },
      status: 400,
      code: "AMOUNT_MISMATCH",
    },
    {
      name: "duplicate keys in the envelope (a second event_type added after signing)",
      make: () => {
        const genuine = v3Callback(refundResource(refund, "CLOSED"), "REFUND.CLOSED");
        return { ...genuine, body: `${genuine.body.slice(0, -1)},"event_type":"REFUND.SUCCESS"}` };
      },
      status: 400,
      code: "SIGNATURE_INVALID",
    },
    {
      name: "resource naming another merchant",
      make: () => success({ mchid: "1900000999" }),
      status: 400,
      code: "MERCHANT_MISMATCH",
    },
    {
      // Refund numbers are unique per merchant: for this merchant, another merchant's number is simply unknown.
      name: "out_refund_no of another merchant's refund",
      make: () => v3Callback(refundResource(foreignRefund, "SUCCESS"), "REFUND.SUCCESS"),
      status: 404,
      code: null,
    },
    {
      name: "XML bomb (billion laughs)",
      make: () => ({
        headers: xml,
        body: `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><xml><return_code>&lol3;</return_code></xml>`,
      }),
      status: 400,
      code: "XML_DTD_FORBIDDEN",
    },
    {
      name: "XML external entity",
      make: () => ({
        headers: xml,
        body: `<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>${v2Callback(refund, "SUCCESS")}`,
      }),
      status: 400,
      code: "XML_DTD_FORBIDDEN",
    },
    {
      name: "APIv2 req_info under another key",
      make: () => ({ headers: xml, body: v2Callback(refund, "SUCCESS", API_V2_KEY.replace("v2", "x2")) }),
      status: 400,
      code: "REQ_INFO_DECRYPT_FAILED",
    },
    {
      name: "APIv2 for an unknown mch_id",
      make: () => ({ headers: xml, body: v2Callback(refund, "SUCCESS", API_V2_KEY, "1900000999") }),
      status: 400,
      code: "MERCHANT_MISMATCH",
    },
    {
      name: "APIv2 broken XML",
      make: () => ({ headers: xml, body: "<xml><return_code>SUCCESS</return_code>" }),
      status: 400,
      code: "MALFORMED",
    },
    {
      name: "form-encoded body",
      make: () => ({
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: "event_type=REFUND.SUCCESS&out_refund_no=x",
      }),
      status: 400,
      code: "HEADERS_MISSING",
    },
    { name: "empty body", make: () => ({ headers: json, body: "" }), status: 400, code: "HEADERS_MISSING" },
    {
      name: "binary garbage with NUL bytes",
      make: () => ({
        headers: { "Content-Type": "application/octet-stream" },
        body: new Uint8Array([0, 255, 254, 0, 123, 0]),
      }),
      status: 400,
      code: "MALFORMED",
    },
    {
      name: "gigantic body by Content-Length",
      make: () => ({
        headers: { ...success().headers, "Content-Length": String(10 * 1024 * 1024) },
        body: "x".repeat(65 * 1024),
      }),
      status: 413,
      code: "BODY_TOO_LARGE",
    },
    {
      name: "gigantic body without Content-Length",
      make: () => ({ headers: success().headers, body: trickle("x".repeat(200 * 1024), 50, 0) }),
      status: 413,
      code: "BODY_TOO_LARGE",
    },
    {
      name: "slow-loris trickle of a forged body",
      make: () => ({ headers: success().headers, body: trickle(success().body, 40, 25) }),
      status: 400,
      code: "SIGNATURE_INVALID",
    },
    {
      name: "forged payment callback",
      route: "payment",
      make: () => ({ headers: json, body: JSON.stringify({ event_type: "TRANSACTION.SUCCESS", resource: {} }) }),
      status: 400,
      code: "HEADERS_MISSING",
    },
  ];

  it("has a corpus of at least 30 hostile callbacks", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CORPUS.map((c) => [c.name, c] as const))("%s", async (_name, hostile) => {
    // Each refusal's row is looked at: none may be held back by the per-minute cap on stored refusals.
    await newRefusalMinute(t.db);
    const before = await moneyState(t.db);
    const { headers, body } = hostile.make();
    const request = post(`/api/notify/${hostile.route ?? "refund"}`, body, headers);
    const response = await (hostile.route === "payment" ? paymentPOST : refundPOST)(request);
    expect(response.status).toBe(hostile.status);
    expect(await moneyState(t.db)).toEqual(before);
    const [row] = await t.db.select().from(notifications).orderBy(desc(notifications.id)).limit(1);
    expect(row).toMatchObject({
      outcome: hostile.code ? "rejected" : "unmatched",
      rejectionCode: hostile.code,
      responseStatus: hostile.status,
    });
    // The answer names the refusal and nothing else: no stack, no key, no internals.
    expect(await response.text()).not.toMatch(/at \w+ \(|PRIVATE KEY|apiV3Key|[0-9A-Za-z]{32}/);
  });
});
