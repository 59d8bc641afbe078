import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../../tests/db";
import { merchants, notifications, orders, refunds } from "../schema";
import {
  getNotificationDetails,
  listNotifications,
  notificationFiltersSchema,
  type NotificationFilters,
} from "./notifications";
import type { LogScope } from "./scope";

describe("notification queries", () => {
  let t: TestDatabase;
  const noFilters: NotificationFilters = notificationFiltersSchema.parse({});
  /** A platform admin's view: the merchant's callbacks and those tied to no merchant. */
  let platform: LogScope;
  const ids = async (filters: Partial<NotificationFilters>, scope = platform) =>
    (await listNotifications(t.db, scope, { ...noFilters, ...filters })).rows.map((r) => r.notificationId);

  beforeAll(async () => {
    t = await createTestDb();
    const [m] = await t.db
      .insert(merchants)
      .values({ mchid: "1900000109", appid: "wx1", displayName: "M" })
      .returning();
    platform = { merchantId: m!.id, withUnattributed: true };
    const [o] = await t.db
      .insert(orders)
      .values({
        merchantId: m!.id,
        outTradeNo: "T1",
        transactionId: "4201",
        totalFen: 1000,
        paidAt: new Date("2024-04-01T00:00:00Z"),
      })
      .returning();
    const [r] = await t.db
      .insert(refunds)
      .values({ orderId: o!.id, merchantId: m!.id, outRefundNo: "R1", amountFen: 500, status: "SUCCESS" })
      .returning();
    const base = {
      protocol: "v3" as const,
      headers: { "wechatpay-serial": "ABC" },
      rawBody: "{}",
      responseStatus: 200,
    };
    await t.db.insert(notifications).values([
      {
        ...base,
        notificationId: "N-APPLIED",
        receivedAt: new Date("2024-05-01T02:00:00Z"),
        eventType: "REFUND.SUCCESS",
        verification: "verified",
        outcome: "applied",
        refundId: r!.id,
        decrypted: { out_refund_no: "R1" },
      },
      {
        ...base,
        notificationId: "N-DUP",
        receivedAt: new Date("2024-05-01T02:00:00Z"),
        eventType: "REFUND.SUCCESS",
        verification: "verified",
        outcome: "duplicate",
        refundId: r!.id,
      },
      {
        ...base,
        notificationId: "N-BAD-SIG",
        receivedAt: new Date("2024-05-01T17:00:00Z"),
        verification: "rejected",
        rejectionCode: "SIGN_ERROR",
        rejectionReason: "signature mismatch",
        outcome: "rejected",
        responseStatus: 401,
        rawBody: "退".repeat(2000),
      },
      {
        ...base,
        notificationId: "N-CLOSED",
        receivedAt: new Date("2024-04-30T15:00:00Z"),
        eventType: "REFUND.CLOSED",
        verification: "verified",
        outcome: "unmatched",
      },
      // Arrived before R1 was recorded; R1 exists now, so an admin may re-apply it.
      {
        ...base,
        notificationId: "N-EARLY",
        receivedAt: new Date("2024-04-30T14:00:00Z"),
        eventType: "REFUND.ABNORMAL",
        verification: "verified",
        outcome: "unmatched",
        merchantId: m!.id,
        decrypted: { out_refund_no: "R1", refund_status: "ABNORMAL" },
      },
      {
        ...base,
        notificationId: "N-ORPHAN",
        receivedAt: new Date("2024-04-30T13:00:00Z"),
        eventType: "REFUND.SUCCESS",
        verification: "verified",
        outcome: "unmatched",
        merchantId: m!.id,
        decrypted: { out_refund_no: "R-NEVER", refund_status: "SUCCESS" },
      },
    ]);
  });
  afterAll(() => t.drop());

  it("lists newest first, with the linked refund number", async () => {
    const { rows, nextCursor } = await listNotifications(t.db, platform, noFilters);
    expect(rows.map((r) => r.notificationId)).toEqual([
      "N-BAD-SIG",
      "N-DUP",
      "N-APPLIED",
      "N-CLOSED",
      "N-EARLY",
      "N-ORPHAN",
    ]);
    expect(nextCursor).toBeNull();
    expect(rows[2]).toMatchObject({ outRefundNo: "R1", noticeRefundNo: "R1", responseStatus: 200 });
    expect(rows[3]?.outRefundNo).toBeNull();
  });

  it("lists each callback's line only: what it said, its headers and body are its details", async () => {
    const { rows } = await listNotifications(t.db, platform, noFilters);
    for (const row of rows)
      for (const field of ["decrypted", "headers", "rawBodyPreview", "rawBodyBytes", "rejectionReason"])
        expect(row).not.toHaveProperty(field);
    const applied = rows.find((r) => r.notificationId === "N-APPLIED")!;
    expect(await getNotificationDetails(t.db, platform, applied.id)).toEqual({
      rejectionReason: null,
      decrypted: { out_refund_no: "R1" },
      headers: { "wechatpay-serial": "ABC" },
      rawBodyPreview: "{}",
      rawBodyBytes: 2,
      rawBodyCutAtBytes: null,
    });
  });

  it("details a raw body by its head only, with its full size in bytes", async () => {
    const { rows } = await listNotifications(t.db, platform, { ...noFilters, verification: "rejected" });
    expect(rows[0]).toMatchObject({ rejectionCode: "SIGN_ERROR", responseStatus: 401 });
    const details = await getNotificationDetails(t.db, platform, rows[0]!.id);
    expect(details?.rawBodyBytes).toBe(6000);
    // 4 KiB cut on a character boundary: 1,365 three-byte characters.
    expect(details?.rawBodyPreview).toBe("退".repeat(1365));
    expect(details?.rawBodyCutAtBytes).toBe(4096);
    expect(details?.rejectionReason).toBe("signature mismatch");
  });

  it("filters by verification, outcome, event type and Beijing day", async () => {
    expect(await ids({ verification: "verified" })).toEqual(["N-DUP", "N-APPLIED", "N-CLOSED", "N-EARLY", "N-ORPHAN"]);
    expect(await ids({ verification: "rejected" })).toEqual(["N-BAD-SIG"]);
    expect(await ids({ outcome: "duplicate" })).toEqual(["N-DUP"]);
    expect(await ids({ outcome: "unmatched" })).toEqual(["N-CLOSED", "N-EARLY", "N-ORPHAN"]);
    expect(await ids({ event: "REFUND.CLOSED" })).toEqual(["N-CLOSED"]);
    expect(await ids({ event: "REFUND.SUCCESS", outcome: "unmatched" })).toEqual(["N-ORPHAN"]);
    // 2024-04-30T15:00Z is 23:00 on 30 April in Beijing; 17:00Z on 1 May is already 2 May there.
    expect(await ids({ from: "2024-05-01", to: "2024-05-01" })).toEqual(["N-DUP", "N-APPLIED"]);
    expect(await ids({ to: "2024-04-30" })).toEqual(["N-CLOSED", "N-EARLY", "N-ORPHAN"]);
    expect(await ids({ from: "2024-05-02" })).toEqual(["N-BAD-SIG"]);
    expect(await ids({ verification: "verified", outcome: "unmatched", from: "2024-04-30", to: "2024-04-30" })).toEqual(
      ["N-CLOSED", "N-EARLY", "N-ORPHAN"],
    );
  });

  it("marks the unmatched rows whose refund exists now as re-applicable, and ABNORMAL reports", async () => {
    const { rows } = await listNotifications(t.db, platform, noFilters);
    const flags = Object.fromEntries(
      rows.map((r) => [
        r.notificationId,
        { reapplicable: r.reapplicable, abnormal: r.abnormal, noticeRefundNo: r.noticeRefundNo },
      ]),
    );
    expect(flags).toEqual({
      "N-BAD-SIG": { reapplicable: false, abnormal: false, noticeRefundNo: null },
      "N-DUP": { reapplicable: false, abnormal: false, noticeRefundNo: null },
      // Applied already: its refund exists, but there is nothing left to re-apply.
      "N-APPLIED": { reapplicable: false, abnormal: false, noticeRefundNo: "R1" },
      // Unmatched without a merchant or content to re-read.
      "N-CLOSED": { reapplicable: false, abnormal: false, noticeRefundNo: null },
      "N-EARLY": { reapplicable: true, abnormal: true, noticeRefundNo: "R1" },
      "N-ORPHAN": { reapplicable: false, abnormal: false, noticeRefundNo: "R-NEVER" },
    });
  });

  it("pages through equal timestamps by id", async () => {
    const first = await listNotifications(t.db, platform, noFilters, 2);
    expect(first.rows.map((r) => r.notificationId)).toEqual(["N-BAD-SIG", "N-DUP"]);
    const second = await listNotifications(t.db, platform, { ...noFilters, after: first.nextCursor ?? undefined }, 2);
    expect(second.rows.map((r) => r.notificationId)).toEqual(["N-APPLIED", "N-CLOSED"]);
    const third = await listNotifications(t.db, platform, { ...noFilters, after: second.nextCursor ?? undefined }, 2);
    expect(third.rows.map((r) => r.notificationId)).toEqual(["N-EARLY", "N-ORPHAN"]);
    expect(third.nextCursor).toBeNull();
  });

  it("drops unknown filter values", () => {
    expect(notificationFiltersSchema.parse({ verification: "maybe", outcome: "lost", event: "" })).toMatchObject({
      verification: undefined,
      outcome: undefined,
      event: undefined,
    });
  });

  it("shows a merchant's users that merchant's callbacks only; merchant-less ones only to platform admins", async () => {
    const [other] = await t.db
      .insert(merchants)
      .values({ mchid: "1900000999", appid: "wx9", displayName: "Other" })
      .returning();
    await t.db.insert(notifications).values({
      protocol: "v3",
      headers: {},
      rawBody: "{}",
      notificationId: "N-OTHER-MERCHANT",
      verification: "verified",
      outcome: "unmatched",
      merchantId: other!.id,
    });
    const mine = await ids({}, { merchantId: platform.merchantId, withUnattributed: false });
    expect(mine.sort()).toEqual(["N-EARLY", "N-ORPHAN"]);
    expect(await ids({})).not.toContain("N-OTHER-MERCHANT");
    expect(await ids({}, { merchantId: other!.id, withUnattributed: false })).toEqual(["N-OTHER-MERCHANT"]);

    // A callback's details, by id, within the same scope as the list.
    const idOf = async (notificationId: string) =>
      (await listNotifications(t.db, platform, noFilters)).rows.find((r) => r.notificationId === notificationId)!.id;
    const unattributed = await idOf("N-BAD-SIG");
    const ofMerchant = await idOf("N-EARLY");
    const ownOnly = { merchantId: platform.merchantId, withUnattributed: false };
    expect(await getNotificationDetails(t.db, ownOnly, ofMerchant)).not.toBeNull();
    expect(await getNotificationDetails(t.db, ownOnly, unattributed)).toBeNull();
    expect(await getNotificationDetails(t.db, platform, unattributed)).not.toBeNull();
    expect(
      await getNotificationDetails(t.db, { merchantId: other!.id, withUnattributed: false }, ofMerchant),
    ).toBeNull();
  });
});
