import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addMerchant, startHarness, v3Client, type Harness } from "./test-support/harness";

const ORDER = { outTradeNo: "T3001", totalFen: 1000 };
const APPLY = {
  out_trade_no: ORDER.outTradeNo,
  out_refund_no: "R1",
  amount: { refund: 300, total: 1000, currency: "CNY" as const },
};
const REFUNDS = "/v3/refund/domestic/refunds";

let h: Harness;
let merchant: Awaited<ReturnType<typeof addMerchant>>;

beforeAll(async () => {
  h = await startHarness();
  merchant = await addMerchant(h);
});
afterAll(() => h.close());
beforeEach(async () => {
  await h.control.reset(true);
  await h.control.patchMerchant(merchant.mchid, { balanceFen: 10_000 });
  await h.control.addTransactions(merchant.mchid, [{ ...ORDER, paidAt: h.clock.now() - 3600_000 }]);
});

const balance = async () =>
  ((await (await fetch(`${h.baseUrl}/_sim/merchants/${merchant.mchid}`)).json()) as { balanceFen: number }).balanceFen;

describe("injected faults", () => {
  it("answers the next N requests with a signed 500 SYSTEM_ERROR without creating anything", async () => {
    await h.control.addFault({ kind: "system_error", count: 2 });
    const { client } = v3Client(h, merchant, "public_key");
    for (let i = 0; i < 2; i++) {
      expect(await client.applyRefund(APPLY)).toMatchObject({
        ok: false,
        error: { kind: "business", code: "SYSTEM_ERROR", httpStatus: 500, advice: "retry" },
      });
    }
    expect(await h.control.refunds()).toHaveLength(0);
    expect((await client.applyRefund(APPLY)).ok).toBe(true);
  });

  it("accept-then-timeout: the refund exists, the query finds it, and re-applying returns it without executing it twice", async () => {
    await h.control.addFault({ kind: "timeout_after_accept", path: REFUNDS, method: "POST" });
    const { client } = v3Client(h, merchant, "public_key", 300);
    expect(await client.applyRefund(APPLY)).toMatchObject({ ok: false, error: { code: "TIMEOUT", advice: "unknown" } });

    const found = await client.queryRefund("R1");
    expect(found).toMatchObject({ ok: true, value: { status: "PROCESSING", out_refund_no: "R1" } });
    const again = await client.applyRefund(APPLY);
    expect(again).toMatchObject({ ok: true, value: { refund_id: found.ok ? found.value.refund_id : "" } });

    expect(await h.control.refunds()).toHaveLength(1);
    expect(await balance()).toBe(10_000 - 300);
    const logged = await h.control.requests(REFUNDS);
    expect(logged.map((r) => r.fault ?? r.status)).toEqual(["timeout_after_accept", 200]);
  });

  it("connection reset before answering: nothing is created; the client sees CONNECTION_RESET (advice unknown)", async () => {
    await h.control.addFault({ kind: "reset_before" });
    const { client } = v3Client(h, merchant, "public_key");
    expect(await client.applyRefund(APPLY)).toMatchObject({
      ok: false,
      error: { code: "CONNECTION_RESET", advice: "unknown" },
    });
    expect(await h.control.refunds()).toHaveLength(0);
    expect(await client.queryRefund("R1")).toMatchObject({ ok: false, error: { code: "RESOURCE_NOT_EXISTS" } });
  });

  it("connection reset after creating: the refund exists although the client saw CONNECTION_RESET", async () => {
    await h.control.addFault({ kind: "reset_after" });
    const { client } = v3Client(h, merchant, "public_key");
    expect(await client.applyRefund(APPLY)).toMatchObject({ ok: false, error: { code: "CONNECTION_RESET" } });
    expect(await h.control.refunds()).toHaveLength(1);
    expect(await client.queryRefund("R1")).toMatchObject({ ok: true, value: { status: "PROCESSING" } });
  });

  it("slow answers arrive after delayMs, or not at all within a shorter client timeout", async () => {
    await h.control.addFault({ kind: "slow", delayMs: 150 });
    const started = Date.now();
    expect((await v3Client(h, merchant, "public_key").client.applyRefund(APPLY)).ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    await h.control.addFault({ kind: "slow", delayMs: 1000 });
    expect(await v3Client(h, merchant, "public_key", 200).client.queryRefund("R1")).toMatchObject({
      ok: false,
      error: { code: "TIMEOUT" },
    });
  });

  it("only takes faults that match the method and path, and can be listed and cleared", async () => {
    await h.control.addFault({ kind: "system_error", method: "POST", path: REFUNDS, count: 5 });
    const { client } = v3Client(h, merchant, "public_key");
    expect(await client.queryRefund("R1")).toMatchObject({ ok: false, error: { code: "RESOURCE_NOT_EXISTS" } });
    expect(await client.applyRefund(APPLY)).toMatchObject({ ok: false, error: { code: "SYSTEM_ERROR" } });
    const listed = (await (await fetch(`${h.baseUrl}/_sim/faults`)).json()) as { remaining: number }[];
    expect(listed).toMatchObject([{ kind: "system_error", remaining: 4 }]);
    await fetch(`${h.baseUrl}/_sim/faults`, { method: "DELETE" });
    expect((await client.applyRefund(APPLY)).ok).toBe(true);
  });
});
