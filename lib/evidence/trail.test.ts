import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createUser } from "../../tests/fixtures/orders";
import { simulatedMerchant, type SimulatedMerchant } from "../../tests/fixtures/simulator-merchant";
import { billDays, billLines, merchants, notifications } from "../db/schema";
import { submitRefund } from "../refunds/submit";
import { ok } from "../result";
import { recorded } from "../wechatpay/recorded-gateway";
import { loadEvidenceTrail, mergeEvidence, type EvidenceItem } from "./trail";

describe("mergeEvidence", () => {
  const item = (kind: EvidenceItem["kind"], id: number, at: string) =>
    ({ kind, key: `${kind}:${id}`, at }) as EvidenceItem;

  it.each<[string, EvidenceItem[], string[]]>([
    [
      "orders by time across sources",
      [
        item("callback", 1, "2026-01-01T00:00:03.000Z"),
        item("event", 9, "2026-01-01T00:00:01.000Z"),
        item("exchange", 4, "2026-01-01T00:00:02.000Z"),
      ],
      ["event:9", "exchange:4", "callback:1"],
    ],
    [
      "puts cause before effect at the same instant",
      [
        item("bill_line", 1, "2026-01-01T00:00:00.000Z"),
        item("exchange", 2, "2026-01-01T00:00:00.000Z"),
        item("event", 3, "2026-01-01T00:00:00.000Z"),
      ],
      ["event:3", "exchange:2", "bill_line:1"],
    ],
    [
      "keeps rows of one source in id order at the same instant",
      [item("event", 12, "2026-01-01T00:00:00.000Z"), item("event", 2, "2026-01-01T00:00:00.000Z")],
      ["event:2", "event:12"],
    ],
  ])("%s", (_name, items, keys) => {
    expect(mergeEvidence(items).map((i) => i.key)).toEqual(keys);
  });
});

describe("loadEvidenceTrail", () => {
  let t: TestDatabase;
  let sim: SimulatedMerchant;

  beforeAll(async () => {
    t = await createTestDb();
    sim = await simulatedMerchant(t.db);
  });
  afterAll(async () => {
    await sim.close();
    await t.drop();
  });

  it("merges the request, the calls to WeChat, the callback and the bill line into one redacted timeline", async () => {
    const operator = await createUser(t.db, "operator");
    const refund = await sim.pendingRefund(
      { actor: { id: operator.id, label: operator.email }, userId: operator.id, orderIntervalMs: 0 },
      250,
      "evidence",
    );
    const gateway = recorded(t.db, { merchantId: sim.merchant.id, apiVersion: "v3" }, sim.gateway);
    await submitRefund(t.db, async () => ok(gateway), refund.id);
    await sim.harness.clock.advance(3000);

    const apiV3Key = sim.credentials.apiV3Key!;
    await t.db.insert(notifications).values({
      protocol: "v3",
      notificationId: "EV-1",
      eventType: "REFUND.SUCCESS",
      verification: "verified",
      headers: { "wechatpay-signature": "c2ln" },
      rawBody: `{"resource":{"ciphertext":"x"},"note":"${apiV3Key}"}`,
      decrypted: {
        out_refund_no: refund.outRefundNo,
        refund_status: "SUCCESS",
        payer: { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
      },
      merchantId: sim.merchant.id,
      refundId: refund.id,
      outcome: "applied",
      responseStatus: 204,
    });
    const [day] = await t.db
      .insert(billDays)
      .values({
        merchantId: sim.merchant.id,
        billDate: "2026-01-02",
        status: "MATCHED",
        fetchedAt: new Date(Date.now() + 86_400_000),
      })
      .returning();
    await t.db.insert(billLines).values({
      billDayId: day!.id,
      lineNo: 1,
      outRefundNo: refund.outRefundNo,
      refundFen: 250,
      refundStatus: "SUCCESS",
      raw: { 商户退款单号: refund.outRefundNo },
    });
    // Another merchant's bill naming the same number is not evidence about this refund.
    const [other] = await t.db
      .insert(merchants)
      .values({ mchid: "1900000999", appid: "wx0000000000000001", displayName: "Other" })
      .returning();
    const [otherDay] = await t.db
      .insert(billDays)
      .values({ merchantId: other!.id, billDate: "2026-01-02" })
      .returning();
    await t.db
      .insert(billLines)
      .values({ billDayId: otherDay!.id, lineNo: 1, outRefundNo: refund.outRefundNo, refundFen: 1, raw: {} });

    const trail = await loadEvidenceTrail(t.db, refund.merchantId, refund.outRefundNo);
    // Another merchant asking for the same number gets nothing: the trail is the refund's merchant's alone.
    expect(await loadEvidenceTrail(t.db, other!.id, refund.outRefundNo)).toBeNull();
    expect(trail?.refund).toMatchObject({ outRefundNo: refund.outRefundNo, status: "PROCESSING", amountFen: 250 });
    const items = trail!.items;
    expect(items.map((i) => (i.kind === "event" ? `event ${i.type}` : i.kind))).toEqual([
      "event requested",
      "event submitted",
      "exchange",
      "event accepted",
      "callback",
      "bill_line",
    ]);
    expect(items[0]).toMatchObject({ actor: "operator", source: "operator", statusTo: "PENDING" });
    expect(items[2]).toMatchObject({
      operation: "apply",
      method: "POST",
      responseStatus: 200,
      request: { body: { out_refund_no: refund.outRefundNo } },
    });
    expect(items[4]).toMatchObject({
      notificationId: "EV-1",
      eventType: "REFUND.SUCCESS",
      verification: "verified",
      decryption: "decrypted",
      outcome: "applied",
      resource: { payer: { openid: "oUpF****eS6o" } },
    });
    expect(items[5]).toMatchObject({ billDate: "2026-01-02", refundFen: 250, refundStatus: "SUCCESS" });
    const json = JSON.stringify(trail);
    expect(json).not.toContain(apiV3Key);
    expect(json).not.toContain("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
    expect(json).not.toMatch(/authorization|wechatpay-signature/i);
  });

  it("is null for an unknown refund number", async () => {
    expect(await loadEvidenceTrail(t.db, sim.merchant.id, "R-nobody")).toBeNull();
  });
});
