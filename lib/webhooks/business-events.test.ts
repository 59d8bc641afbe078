import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createPaidOrder } from "../../tests/fixtures/orders";
import { SYSTEM_ACTOR } from "../audit/append";
import { completeBatch } from "../bulk/lifecycle";
import { alertItems, bulkBatches, webhookDeliveries, webhookEvents } from "../db/schema";
import { mismatchFound } from "./business-events";
import { createEndpoint } from "./endpoints";

describe("bulk.completed and reconciliation.mismatch", () => {
  let t: TestDatabase;
  let merchantId: string;
  let endpointId: string;
  beforeAll(async () => {
    t = await createTestDb();
    merchantId = (await createPaidOrder(t.db)).merchantId;
    const created = await createEndpoint(
      t.db,
      merchantId,
      { url: "https://shop.example.com/hooks", events: ["bulk.completed", "reconciliation.mismatch"] },
      { actor: SYSTEM_ACTOR, policy: { allowPrivate: false } },
    );
    if (!created.ok) throw new Error(created.error.code);
    endpointId = created.value.endpoint.id;
  });
  afterAll(() => t.drop());

  const eventsOf = (type: string) => t.db.select().from(webhookEvents).where(eq(webhookEvents.type, type));

  it("writes bulk.completed in the transaction that completes the batch, with a delivery for the endpoint", async () => {
    const [batch] = await t.db
      .insert(bulkBatches)
      .values({ merchantId, fileName: "march.csv", totalRows: 3, validRows: 2, validAmountFen: 900, status: "RUNNING" })
      .returning();
    expect(await completeBatch(t.db, batch!.id)).toEqual({ ok: true, value: "COMPLETED" });
    const [event] = await eventsOf("bulk.completed");
    expect(event!.payload).toMatchObject({
      type: "bulk.completed",
      data: { bulk: { id: batch!.id, file_name: "march.csv", total_rows: 3, valid_rows: 2, valid_amount: 900 } },
    });
    const deliveries = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, event!.id));
    expect(deliveries.map((d) => d.endpointId)).toEqual([endpointId]);
  });

  it("writes reconciliation.mismatch and raises one alert per mismatch", async () => {
    const day = { id: 77, merchantId, billDate: "2026-12-03" };
    const mismatch = {
      kind: "MISSING_FROM_BILL" as const,
      outRefundNo: "R-MISSING",
      refundId: null,
      consoleValue: { status: "SUCCESS" },
      billValue: null,
    };
    await t.db.transaction((tx) => mismatchFound(tx, day, mismatch, new Date()));
    await t.db.transaction((tx) => mismatchFound(tx, day, mismatch, new Date()));
    const events = await eventsOf("reconciliation.mismatch");
    expect(events[0]!.payload).toMatchObject({
      data: { mismatch: { bill_date: "2026-12-03", out_refund_no: "R-MISSING", kind: "MISSING_FROM_BILL" } },
    });
    expect(await t.db.select().from(alertItems).where(eq(alertItems.kind, "reconciliation_mismatch"))).toHaveLength(1);
  });
});
