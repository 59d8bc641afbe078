import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SimControl } from "./control-client";
import { handleControl, type ControlContext } from "./http/control";
import { generateRsaKeyPair, randomSerial, selfSignedCertificate } from "./keys";
import { addMerchant, APPID, MCHID, startHarness, v3Client, type Harness } from "./test-support/harness";

const TOKEN = "test-control-token";
let h: Harness;
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${h.baseUrl}${path}`, { headers });

beforeAll(async () => {
  h = await startHarness({ controlToken: TOKEN });
});
afterAll(() => h.close());
beforeEach(() => h.control.reset());

describe("control API access", () => {
  it("asks for the bearer token when one is configured; health and the page (with ?token=) are reachable", async () => {
    expect((await get("/_sim/merchants")).status).toBe(401);
    expect((await get("/_sim/merchants", { Authorization: "Bearer wrong" })).status).toBe(401);
    expect((await get("/_sim/merchants", { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect(await (await get("/_sim/health")).json()).toEqual({ ok: true });
    expect((await get("/_sim/")).status).toBe(401);
    expect((await get(`/_sim/?token=${TOKEN}`)).status).toBe(200);
  });

  it("answers nobody but this machine", () => {
    const ctx = { controlToken: undefined } as ControlContext;
    const request = {
      method: "GET",
      path: "/_sim/merchants",
      pathWithQuery: "/_sim/merchants",
      query: new URLSearchParams(),
      headers: {},
      body: "",
      loopback: false,
    };
    expect(handleControl(ctx, request).status).toBe(403);
  });
});

describe("merchants", () => {
  it("generates every key when none is given and returns the merchant-side material once", async () => {
    const material = await addMerchant(h);
    expect(material).toMatchObject({
      created: true,
      mchid: MCHID,
      appid: APPID,
      signingMode: "public_key",
      balanceFen: 100_000_000,
    });
    expect(material.merchantPrivateKey).toContain("BEGIN PRIVATE KEY");
    expect(Buffer.byteLength(material.apiV3Key)).toBe(32);
    expect(material.apiV2Key).toHaveLength(32);
    expect(material.publicKeyId).toMatch(/^PUB_KEY_ID_\d{32}$/);
    expect(material.platformCertificateSerial).toMatch(/^[0-9A-F]{40}$/);

    const again = await h.control.upsertMerchant({ mchid: MCHID, balanceFen: 5 });
    expect(again).toMatchObject({
      created: false,
      publicKeyId: material.publicKeyId,
      apiV3Key: material.apiV3Key,
      balanceFen: 5,
    });
    expect(again.merchantPrivateKey).toBeUndefined();
    const listed = await (await get("/_sim/merchants", { Authorization: `Bearer ${TOKEN}` })).text();
    for (const secret of [material.apiV3Key, material.apiV2Key, "PRIVATE KEY"]) expect(listed).not.toContain(secret);
  });

  it("takes the merchant's own public key and serial, or its certificate, and its API keys", async () => {
    const pair = generateRsaKeyPair();
    const own = await h.control.upsertMerchant({
      mchid: MCHID,
      appid: APPID,
      merchantPublicKey: pair.publicKeyPem,
      merchantSerialNo: "5157f09efdc096de15ebe81a47057a7232f1b8e1",
      apiV3Key: "a".repeat(32),
      apiV2Key: "b".repeat(32),
    });
    expect(own).toMatchObject({
      merchantSerialNo: "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
      apiV3Key: "a".repeat(32),
      apiV2Key: "b".repeat(32),
    });
    const { client } = v3Client(h, { ...own, merchantPrivateKey: pair.privateKeyPem }, "public_key");
    expect(await client.queryRefund("R1")).toMatchObject({
      ok: false,
      error: { kind: "business", code: "RESOURCE_NOT_EXISTS" },
    });

    const serial = randomSerial();
    const fromCertificate = await h.control.upsertMerchant({
      mchid: MCHID,
      merchantPublicKey: selfSignedCertificate(pair.privateKeyPem, serial),
    });
    expect(fromCertificate.merchantSerialNo).toBe(serial);
  });

  it("refuses what cannot work: no appid for a new merchant, a bare key without serial, keys of the wrong length", async () => {
    const refusals = [
      { mchid: MCHID },
      { mchid: MCHID, appid: APPID, merchantPublicKey: generateRsaKeyPair().publicKeyPem },
      { mchid: MCHID, appid: APPID, apiV3Key: "short" },
      { mchid: "abc", appid: APPID },
    ];
    for (const input of refusals) await expect(h.control.upsertMerchant(input)).rejects.toThrow(/HTTP 400/);
  });
});

describe("transactions", () => {
  it("registers single and bulk transactions idempotently, all or nothing", async () => {
    await addMerchant(h);
    const single = await fetch(`${h.baseUrl}/_sim/transactions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        mchid: MCHID,
        outTradeNo: "T1",
        totalFen: 100,
        paidAt: "2026-01-02T03:04:05+08:00",
        payerOpenid: "oPayer",
      }),
    });
    expect(await single.json()).toMatchObject({
      created: 1,
      transactions: [{ outTradeNo: "T1", paidAt: Date.parse("2026-01-02T03:04:05+08:00"), payerOpenid: "oPayer" }],
    });

    const bulk = await h.control.addTransactions(MCHID, [
      { outTradeNo: "T1", totalFen: 100 },
      { outTradeNo: "T2", totalFen: 200 },
    ]);
    expect(bulk).toMatchObject({ created: 1, unchanged: 1 });
    expect(bulk.transactions[1]?.transactionId).toMatch(/^4200\d{24}$/);

    await expect(
      h.control.addTransactions(MCHID, [
        { outTradeNo: "T3", totalFen: 300 },
        { outTradeNo: "T1", totalFen: 101 },
      ]),
    ).rejects.toThrow(/HTTP 409/);
    await expect(
      h.control.addTransactions(MCHID, [
        { outTradeNo: "T4", totalFen: 1, transactionId: bulk.transactions[1]!.transactionId },
      ]),
    ).rejects.toThrow(/belongs to another order/);
    await expect(h.control.addTransactions("1900009999", [{ outTradeNo: "T5", totalFen: 1 }])).rejects.toThrow(
      /does not exist/,
    );
    const listed = (await (
      await get(`/_sim/transactions?mchid=${MCHID}`, { Authorization: `Bearer ${TOKEN}` })
    ).json()) as unknown[];
    expect(listed).toHaveLength(2); // T3 was not registered: its batch had a conflict
  });
});

describe("outcomes, configuration, logs and reset", () => {
  it("refuses to script a refund that is already final", async () => {
    const merchant = await addMerchant(h);
    await h.control.addTransactions(MCHID, [{ outTradeNo: "T1", totalFen: 100, paidAt: h.clock.now() }]);
    const { client } = v3Client(h, merchant, "public_key");
    expect(
      (
        await client.applyRefund({
          out_trade_no: "T1",
          out_refund_no: "R1",
          amount: { refund: 1, total: 100, currency: "CNY" },
        })
      ).ok,
    ).toBe(true);
    expect(await h.control.script({ outRefundNo: "R1", status: "PROCESSING" })).toEqual({ result: "rescheduled" });
    await h.clock.advance(3_600_000);
    expect(await client.queryRefund("R1")).toMatchObject({ ok: true, value: { status: "PROCESSING" } }); // held on purpose
    await h.control.script({ outRefundNo: "R1", status: "SUCCESS", delayMs: 0 });
    await h.clock.advance(0);
    await expect(h.control.script({ outRefundNo: "R1", status: "CLOSED" })).rejects.toThrow(/already SUCCESS/);
    expect((await h.control.requests("/v3/refund/domestic/refunds")).map((r) => [r.method, r.status, r.mchid])).toEqual(
      [["POST", 200, MCHID]],
    );
  });

  it("changes the settle delay and the order interval at runtime", async () => {
    expect(await h.control.config({ settleMs: 10, orderIntervalMs: 5 })).toEqual({
      settleMs: 10,
      orderIntervalMs: 5,
      timeScale: 1,
    });
    expect(await h.control.config({ settleMs: null, orderIntervalMs: null })).toEqual({
      settleMs: 3000,
      orderIntervalMs: null,
      timeScale: 1,
    });
  });

  it("resets everything, or everything but the merchants", async () => {
    await addMerchant(h);
    await h.control.addTransactions(MCHID, [{ outTradeNo: "T1", totalFen: 100 }]);
    await h.control.reset(true);
    expect(
      (await (await get("/_sim/merchants", { Authorization: `Bearer ${TOKEN}` })).json()) as unknown[],
    ).toHaveLength(1);
    expect(
      (await (await get("/_sim/transactions", { Authorization: `Bearer ${TOKEN}` })).json()) as unknown[],
    ).toHaveLength(0);
    await h.control.reset();
    expect(
      (await (await get("/_sim/merchants", { Authorization: `Bearer ${TOKEN}` })).json()) as unknown[],
    ).toHaveLength(0);
  });
});

describe("the HTML overview", () => {
  it("shows merchants without secrets, transactions, refunds and deliveries, escaping everything", async () => {
    const material = await addMerchant(h, { notifyUrl: "https://example.com/notify?x=<script>alert(1)</script>" });
    await h.control.addTransactions(MCHID, [{ outTradeNo: "T1", totalFen: 12345 }]);
    const page = await (await get(`/_sim/?token=${TOKEN}`)).text();
    expect(page).toContain("<h2>Merchants (1)</h2>");
    expect(page).toContain("¥123.45");
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).not.toContain("<script>");
    for (const secret of [material.apiV3Key, material.apiV2Key]) expect(page).not.toContain(secret);
  });
});

describe("SimControl", () => {
  it("reports control errors with the status and the simulator's explanation", async () => {
    const control = new SimControl(h.baseUrl); // no token
    await expect(control.reset()).rejects.toThrow(/HTTP 401 .*Bearer/);
  });
});
