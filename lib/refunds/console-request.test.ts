import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { createPaidOrder, createUser } from "../../tests/fixtures/orders";
import { hashPassword } from "../auth/password";
import { auditLog, refunds, users, type Refund } from "../db/schema";
import { err } from "../result";
import { requestRefundFromConsole, type ConsoleRefundInput } from "./console-request";
import { listActiveReasons } from "./reasons";

/** An operator's refund from the order page: what is asked of them, what is recorded, what is queued. */
describe("requestRefundFromConsole", () => {
  let t: TestDatabase;
  let operator: { id: string; email: string };
  let reason: string;
  const queued: number[] = [];
  const PASSWORD = "correct horse battery";

  beforeAll(async () => {
    t = await createTestDb();
    const user = await createUser(t.db, "operator");
    await t.db
      .update(users)
      .set({ passwordHash: await hashPassword(PASSWORD) })
      .where(eq(users.id, user.id));
    operator = user;
    const offered = await listActiveReasons(t.db);
    reason = offered[0]!.label;
  });
  afterAll(() => t.drop());

  const deps = (enqueue = async (refund: Refund) => void queued.push(refund.id)) => ({
    // An order that is not imported is never re-checked: no gateway is asked.
    resolveGateway: async () => err({ kind: "config", code: "CONFIG_INVALID", detail: "not used" }) as never,
    enqueue,
    recheckAfterMs: 300_000,
  });
  const context = () => ({
    actor: { id: operator.id, label: operator.email },
    userId: operator.id,
    orderIntervalMs: 0,
  });

  async function ask(amountFen: number, over: Partial<ConsoleRefundInput> = {}, dependencies = deps()) {
    // The default approval threshold is ¥1,000.00: the order is large enough to cross it.
    const order = await createPaidOrder(t.db, { totalFen: 500_000 });
    const input = { merchantId: order.merchantId, orderId: order.id, amountFen, reason, note: "", password: "" };
    const result = await requestRefundFromConsole(t.db, dependencies, { ...input, ...over }, context());
    const recorded = await t.db.select().from(refunds).where(eq(refunds.orderId, order.id));
    return { order, result, recorded };
  }

  it.each([
    { case: "a reason no admin offers", amountFen: 500, over: { reason: "made up" }, code: "REASON_NOT_OFFERED" },
    {
      case: "a note past WeChat's 80 characters",
      amountFen: 500,
      over: { note: "很".repeat(80) },
      code: "NOTE_TOO_LONG",
    },
    { case: "above the threshold without the password", amountFen: 150_000, over: {}, code: "PASSWORD_REQUIRED" },
    {
      case: "above the threshold with a wrong password",
      amountFen: 150_000,
      over: { password: "wrong" },
      code: "REAUTH_FAILED",
    },
  ])("refuses $case, and records and queues nothing", async ({ amountFen, over, code }) => {
    const before = queued.length;
    const { result, recorded } = await ask(amountFen, over);
    expect(result.ok ? null : result.error.code).toBe(code);
    expect(recorded).toEqual([]);
    expect(queued.length).toBe(before);
  });

  it("audits a wrong password", async () => {
    const { order } = await ask(150_000, { password: "wrong" });
    const entries = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "refund.reauth_failed"), eq(auditLog.targetId, String(order.id))));
    expect(entries).toHaveLength(1);
  });

  it("records a refund above the threshold with the right password, to wait for an approver: not queued", async () => {
    const before = queued.length;
    const { result, recorded } = await ask(150_000, { password: PASSWORD });
    expect(result.ok && result.value.status).toBe("AWAITING_APPROVAL");
    expect(recorded.map((r) => [r.amountFen, r.status])).toEqual([[150_000, "AWAITING_APPROVAL"]]);
    expect(queued.length).toBe(before);
  });

  it("records and queues a refund below the threshold, without asking for the password", async () => {
    const { result, recorded } = await ask(600);
    expect(result.ok && result.value.status).toBe("PENDING");
    expect(recorded.map((r) => r.reason)).toEqual([reason]);
    expect(queued.at(-1)).toBe(recorded[0]!.id);
  });

  it("still answers with the recorded refund when the queue fails: the sweep queues it", async () => {
    const failing = deps(async () => {
      throw new Error("queue down");
    });
    const { result, recorded } = await ask(700, {}, failing);
    expect(result.ok && result.value.id).toBe(recorded[0]!.id);
    expect(recorded[0]!.status).toBe("PENDING");
  });
});
