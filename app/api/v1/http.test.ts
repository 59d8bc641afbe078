import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { authenticateApiKey, revokeApiKey } from "@/lib/api-keys/keys";
import { SYSTEM_ACTOR } from "@/lib/audit/append";
import type { Database } from "@/lib/db/client";
import { createTestDb, type TestDatabase } from "@/tests/db";
import { apiRequest, createTestKey, params } from "@/tests/fixtures/merchant-api";
import { freshMinute } from "@/tests/fixtures/minute";
import { defaultMerchantId } from "@/tests/fixtures/orders";
import { REQUESTS_PER_KEY_PER_MINUTE } from "./_lib/http";

// The routes call getDb(); point it at this file's database.
const holder = vi.hoisted(() => ({ db: undefined as Database | undefined }));
vi.mock("@/lib/db/client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/db/client")>()),
  getDb: () => holder.db!,
}));
vi.mock("@/lib/jobs/boss", () => ({ getBoss: async () => ({ send: async () => "job", insert: async () => {} }) }));

const orders = await import("./orders/route");
const order = await import("./orders/[outTradeNo]/route");
const refunds = await import("./refunds/route");
const refund = await import("./refunds/[outRefundNo]/route");

describe("merchant API: authentication and request bodies", () => {
  let t: TestDatabase;
  let key: string;

  beforeAll(async () => {
    t = await createTestDb();
    holder.db = t.db;
    key = await createTestKey(t.db);
  });
  afterAll(() => t.drop());

  const everyRoute = () => [
    orders.POST(apiRequest("POST", "/api/v1/orders", { body: {} })),
    order.GET(apiRequest("GET", "/api/v1/orders/T1"), params({ outTradeNo: "T1" })),
    refunds.POST(apiRequest("POST", "/api/v1/refunds", { body: {} })),
    refund.GET(apiRequest("GET", "/api/v1/refunds/R1"), params({ outRefundNo: "R1" })),
  ];

  it("answers 401 UNAUTHENTICATED with a Bearer challenge on every route without a key", async () => {
    for (const response of await Promise.all(everyRoute())) {
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="merchant-api"');
      expect(await response.json()).toMatchObject({ code: "UNAUTHENTICATED", message: expect.any(String) });
    }
  });

  it("refuses a wrong key, another scheme, and a revoked key alike", async () => {
    const revokedKey = await createTestKey(t.db, await defaultMerchantId(t.db));
    const principal = await authenticateApiKey(t.db, revokedKey);
    await revokeApiKey(t.db, { id: principal!.keyId, merchantId: principal!.merchantId!, actor: SYSTEM_ACTOR });
    const attempts = [
      { authorization: `Bearer ${key.slice(0, -1)}${key.endsWith("0") ? "1" : "0"}` },
      { authorization: `Basic ${Buffer.from(`${key}:`).toString("base64")}` },
      { authorization: key },
      { authorization: `Bearer ${revokedKey}` },
    ];
    for (const headers of attempts) {
      const response = await order.GET(
        apiRequest("GET", "/api/v1/orders/T1", { headers }),
        params({ outTradeNo: "T1" }),
      );
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="merchant-api"/);
      expect((await response.json()).code).toBe("UNAUTHENTICATED");
    }
  });

  it("accepts the scheme in any case", async () => {
    const response = await order.GET(
      apiRequest("GET", "/api/v1/orders/T1", { headers: { authorization: `bearer ${key}` } }),
      params({ outTradeNo: "T1" }),
    );
    expect(response.status).toBe(404);
  });

  it("refuses a body over 16 KiB with 413, by Content-Length or by what actually arrives", async () => {
    const big = { out_trade_no: "T".repeat(17_000) };
    const declared = await refunds.POST(apiRequest("POST", "/api/v1/refunds", { key, body: big }));
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });

    // A streamed body carries no Content-Length: it is cut off once past the limit.
    const chunk = new TextEncoder().encode(" ".repeat(4096));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 100) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const request = new Request("http://localhost:3000/api/v1/orders", {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const streamed = await orders.POST(request);
    expect(streamed.status).toBe(413);
    expect(sent).toBeLessThan(10);
  });

  it("answers 400 INVALID_JSON for a body that is not JSON", async () => {
    for (const rawBody of ["{", "", "out_trade_no=1", "{'a': 1}"]) {
      const response = await orders.POST(apiRequest("POST", "/api/v1/orders", { key, rawBody }));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: "INVALID_JSON" });
    }
  });

  it("answers 400 INVALID_REQUEST with field_errors for JSON of the wrong shape, unknown fields included", async () => {
    const response = await refunds.POST(
      apiRequest("POST", "/api/v1/refunds", { key, body: { amount: "100", out_refund_number: "X1" } }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: "INVALID_REQUEST",
      field_errors: {
        out_trade_no: ["Required."],
        amount: [expect.stringContaining("not a string")],
        out_refund_number: ["Unknown field."],
      },
    });
    const array = await refunds.POST(apiRequest("POST", "/api/v1/refunds", { key, body: [1] }));
    expect(await array.json()).toMatchObject({
      code: "INVALID_REQUEST",
      field_errors: { _body: [expect.any(String)] },
    });
  });

  it("refuses a malformed Idempotency-Key", async () => {
    const response = await refunds.POST(
      apiRequest("POST", "/api/v1/refunds", { key, body: {}, headers: { "idempotency-key": "x".repeat(256) } }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: "INVALID_REQUEST",
      field_errors: { "Idempotency-Key": [expect.any(String)] },
    });
  });

  it("answers an unexpected failure with a JSON 500, not a stack trace", async () => {
    const broken = holder.db;
    holder.db = {
      select: () => {
        throw new Error("database is down: secret detail");
      },
    } as unknown as Database;
    try {
      const response = await order.GET(apiRequest("GET", "/api/v1/orders/T1", { key }), params({ outTradeNo: "T1" }));
      expect(response.status).toBe(500);
      const body = await response.json();
      expect(body).toMatchObject({ code: "INTERNAL_ERROR" });
      expect(JSON.stringify(body)).not.toContain("secret detail");
    } finally {
      holder.db = broken;
    }
  });

  it("answers 429 with Retry-After past a key's requests this minute, and other keys go on", async () => {
    await freshMinute(t.db);
    const busy = await createTestKey(t.db, await defaultMerchantId(t.db));
    const get = (k: string) =>
      refund.GET(apiRequest("GET", "/api/v1/refunds/R1", { key: k }), params({ outRefundNo: "R1" }));
    for (let i = 0; i < REQUESTS_PER_KEY_PER_MINUTE; i++) expect((await get(busy)).status).toBe(404);
    const limited = await get(busy);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ code: "RATE_LIMITED" });
    expect((await get(key)).status).toBe(404);
  });
});
