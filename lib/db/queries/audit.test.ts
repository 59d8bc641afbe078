import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../../tests/db";
import { appendAudit, SYSTEM_ACTOR } from "../../audit/append";
import { auditLog } from "../schema";
import { auditFiltersSchema, listAuditActions, listAuditEntries, type AuditFilters } from "./audit";

describe("audit queries", () => {
  let t: TestDatabase;
  const noFilters: AuditFilters = auditFiltersSchema.parse({});
  const actions = async (filters: Partial<AuditFilters>, pageSize = 50) =>
    (await listAuditEntries(t.db, { ...noFilters, ...filters }, pageSize)).rows.map((r) => r.action);

  beforeAll(async () => {
    t = await createTestDb();
    const admin = { id: null, label: "Admin@Example.com", ip: "10.0.0.1" };
    await t.db.insert(auditLog).values({ actorLabel: "50%_off@example.com", action: "auth.login_failed", at: new Date("2024-04-30T15:00:00Z") });
    // One transaction: every row gets the same now(), so only the id orders them.
    await t.db.transaction(async (tx) => {
      await appendAudit(tx, admin, "refund.requested", { type: "refund", id: "R1" }, { amountFen: 500 });
      await appendAudit(tx, admin, "refund.approved", { type: "refund", id: "R1" });
      await appendAudit(tx, SYSTEM_ACTOR, "refund.requested", { type: "refund", id: "R2" });
      await appendAudit(tx, SYSTEM_ACTOR, "notification.rejected", null);
    });
  });
  afterAll(() => t.drop());

  it("lists newest first, ties broken by id, with target and details", async () => {
    const { rows } = await listAuditEntries(t.db, noFilters);
    expect(rows.map((r) => r.action)).toEqual(["notification.rejected", "refund.requested", "refund.approved", "refund.requested", "auth.login_failed"]);
    expect(rows[3]).toMatchObject({ actorLabel: "Admin@Example.com", targetType: "refund", targetId: "R1", ip: "10.0.0.1", details: { amountFen: 500 } });
  });

  it("pages through equal timestamps without skipping or repeating", async () => {
    const everything = await actions({});
    for (const size of [1, 2, 3]) {
      const seen: string[] = [];
      let after: string | undefined;
      do {
        const page = await listAuditEntries(t.db, { ...noFilters, after }, size);
        seen.push(...page.rows.map((r) => r.action));
        after = page.nextCursor ?? undefined;
      } while (after);
      expect(seen).toEqual(everything);
    }
  });

  it("filters by action, by part of the actor in any case, and by Beijing day", async () => {
    expect(await actions({ action: "refund.requested" })).toEqual(["refund.requested", "refund.requested"]);
    expect(await actions({ actor: "admin@EXAMPLE" })).toEqual(["refund.approved", "refund.requested"]);
    // `%` and `_` typed into the filter are literal characters, not wildcards.
    expect(await actions({ actor: "50%_" })).toEqual(["auth.login_failed"]);
    expect(await actions({ actor: "%" })).toEqual(["auth.login_failed"]);
    expect(await actions({ to: "2024-04-30" })).toEqual(["auth.login_failed"]);
    expect(await actions({ from: "2024-05-01" })).toHaveLength(4);
  });

  it("offers each distinct action once, sorted", async () => {
    expect(await listAuditActions(t.db)).toEqual(["auth.login_failed", "notification.rejected", "refund.approved", "refund.requested"]);
  });
});
