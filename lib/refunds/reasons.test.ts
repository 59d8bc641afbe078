import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { auditLog } from "../db/schema";
import { addReason, listActiveReasons, listAllReasons, moveReason, renameReason, setReasonActive } from "./reasons";

describe("refund reasons", () => {
  let t: TestDatabase;
  const actor = { id: null, label: "admin@example.com" };

  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.drop());

  const labels = async () => (await listActiveReasons(t.db)).map((r) => r.label);

  it("starts with the reasons the form offered before, in their order", async () => {
    expect(await labels()).toEqual([
      "Customer request 顾客申请退款",
      "Out of stock 商品缺货",
      "Damaged goods 商品破损",
      "Order cancelled 订单取消",
      "Duplicate payment 重复支付",
      "Price adjustment 价格调整",
      "Event cancelled 活动取消",
    ]);
  });

  it("adds at the end, refuses duplicates (any case) and labels WeChat cannot carry", async () => {
    const added = await addReason(t.db, "  Wrong size   尺码不合适 ", actor);
    expect(added).toMatchObject({ ok: true, value: { label: "Wrong size 尺码不合适", sortOrder: 8 } });
    expect((await labels()).at(-1)).toBe("Wrong size 尺码不合适");
    expect(await addReason(t.db, "OUT OF STOCK 商品缺货", actor)).toMatchObject({
      ok: false,
      error: { code: "DUPLICATE_LABEL" },
    });
    expect(await addReason(t.db, "x".repeat(81), actor)).toMatchObject({ ok: false, error: { code: "INVALID_LABEL" } });
    expect(await addReason(t.db, "   ", actor)).toMatchObject({ ok: false, error: { code: "INVALID_LABEL" } });
  });

  it("renames, reorders, retires and restores, with an audit row for each", async () => {
    const [first, second] = await listActiveReasons(t.db);
    expect(await renameReason(t.db, first!.id, "Customer asked 顾客申请", actor)).toMatchObject({ ok: true });
    expect(await renameReason(t.db, first!.id, second!.label.toLowerCase(), actor)).toMatchObject({
      ok: false,
      error: { code: "DUPLICATE_LABEL" },
    });
    await moveReason(t.db, second!.id, "up", actor);
    expect((await labels()).slice(0, 2)).toEqual(["Out of stock 商品缺货", "Customer asked 顾客申请"]);
    // Already first: nothing moves.
    await moveReason(t.db, second!.id, "up", actor);
    expect((await labels())[0]).toBe("Out of stock 商品缺货");

    await setReasonActive(t.db, second!.id, false, actor);
    expect(await labels()).not.toContain("Out of stock 商品缺货");
    expect((await listAllReasons(t.db)).find((r) => r.id === second!.id)).toMatchObject({ active: false });
    await setReasonActive(t.db, second!.id, true, actor);
    expect((await labels())[0]).toBe("Out of stock 商品缺货");

    const audit = await t.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetType, "refund_reason"))
      .orderBy(auditLog.id);
    expect(audit.map((a) => a.action)).toEqual([
      "refund_reason.added",
      "refund_reason.renamed",
      "refund_reason.reordered",
      "refund_reason.retired",
      "refund_reason.restored",
    ]);
    expect(audit[1]!.details).toEqual({
      before: { label: "Customer request 顾客申请退款" },
      after: { label: "Customer asked 顾客申请" },
    });
  });
});
