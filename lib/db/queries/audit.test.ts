import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../../tests/db";
import { createMerchant } from "../../../tests/fixtures/merchant-api";
import { createUser, defaultMerchantId } from "../../../tests/fixtures/orders";
import { appendAudit, SYSTEM_ACTOR } from "../../audit/append";
import { auditLog } from "../schema";
import { auditFiltersSchema, listAuditActions, listAuditEntries, type AuditFilters } from "./audit";
import type { LogScope } from "./scope";

describe("audit queries", () => {
  let t: TestDatabase;
  let olgaId: string;
  /** A platform admin's view of the test merchant: its rows and the platform's (no merchant). */
  let platform: LogScope;
  const noFilters: AuditFilters = auditFiltersSchema.parse({});
  const actions = async (filters: Partial<AuditFilters>, pageSize = 50) =>
    (await listAuditEntries(t.db, platform, { ...noFilters, ...filters }, pageSize)).rows.map((r) => r.action);

  beforeAll(async () => {
    t = await createTestDb();
    const admin = { id: null, label: "Admin@Example.com", ip: "10.0.0.1" };
    const olga = await createUser(t.db, "operator", "olga@example.com");
    olgaId = olga.id;
    platform = { merchantId: await defaultMerchantId(t.db), withUnattributed: true };
    await t.db.insert(auditLog).values([
      { actorLabel: "50%_off@example.com", action: "auth.login_failed", at: new Date("2024-04-30T15:00:00Z") },
      // 16:30Z is already 1 May in Beijing. The actor's name (`operator`) is joined in; a `user` target shows its email.
      {
        actorId: olga.id,
        actorLabel: olga.email,
        action: "auth.sign_in",
        targetType: "user",
        targetId: olga.id,
        ip: "10.0.0.9",
        at: new Date("2024-04-30T16:30:00Z"),
      },
    ]);
    // One transaction: every row gets the same now(), so only the id orders them.
    await t.db.transaction(async (tx) => {
      await appendAudit(tx, admin, "refund.requested", { type: "refund", id: "R1" }, { amountFen: 500 });
      await appendAudit(tx, admin, "refund.approved", { type: "refund", id: "R1" });
      await appendAudit(tx, SYSTEM_ACTOR, "refund.requested", { type: "refund", id: "R2" });
      await appendAudit(tx, SYSTEM_ACTOR, "notification.rejected", null);
    });
  });
  afterAll(() => t.drop());

  it("lists newest first, ties broken by id, with target, details, the actor's name and a target user's email", async () => {
    const { rows } = await listAuditEntries(t.db, platform, noFilters);
    expect(rows.map((r) => r.action)).toEqual([
      "notification.rejected",
      "refund.requested",
      "refund.approved",
      "refund.requested",
      "auth.sign_in",
      "auth.login_failed",
    ]);
    expect(rows[3]).toMatchObject({
      actorLabel: "Admin@Example.com",
      actorName: null,
      targetType: "refund",
      targetId: "R1",
      ip: "10.0.0.1",
      details: { amountFen: 500 },
    });
    expect(rows[4]).toMatchObject({
      actorLabel: "olga@example.com",
      actorName: "operator",
      targetType: "user",
      targetId: olgaId,
      targetUserEmail: "olga@example.com",
      ip: "10.0.0.9",
    });
    expect(rows[3]?.targetUserEmail).toBeNull();
  });

  it("pages through equal timestamps without skipping or repeating", async () => {
    const everything = await actions({});
    for (const size of [1, 2, 3]) {
      const seen: string[] = [];
      let after: string | undefined;
      do {
        const page = await listAuditEntries(t.db, platform, { ...noFilters, after }, size);
        seen.push(...page.rows.map((r) => r.action));
        after = page.nextCursor ?? undefined;
      } while (after);
      expect(seen).toEqual(everything);
    }
  });

  it("filters by action, by part of the actor's email or name in any case, and by Beijing day", async () => {
    expect(await actions({ action: "refund.requested" })).toEqual(["refund.requested", "refund.requested"]);
    expect(await actions({ actor: "admin@EXAMPLE" })).toEqual(["refund.approved", "refund.requested"]);
    expect(await actions({ actor: "OPERATOR" })).toEqual(["auth.sign_in"]);
    // `%` and `_` typed into the filter are literal characters, not wildcards.
    expect(await actions({ actor: "50%_" })).toEqual(["auth.login_failed"]);
    expect(await actions({ actor: "%" })).toEqual(["auth.login_failed"]);
    expect(await actions({ to: "2024-04-30" })).toEqual(["auth.login_failed"]);
    expect(await actions({ from: "2024-05-01", to: "2024-05-01" })).toEqual(["auth.sign_in"]);
    expect(await actions({ from: "2024-05-01" })).toHaveLength(5);
  });

  it("filters by target: its id, its type, both, or a target user's email", async () => {
    expect(await actions({ target: "R1" })).toEqual(["refund.approved", "refund.requested"]);
    expect(await actions({ target: "refund:r2" })).toEqual(["refund.requested"]);
    expect(await actions({ target: "refund" })).toHaveLength(3);
    expect(await actions({ target: "olga@" })).toEqual(["auth.sign_in"]);
    expect(await actions({ target: olgaId })).toEqual(["auth.sign_in"]);
    expect(await actions({ target: "R1", action: "refund.approved", actor: "admin" })).toEqual(["refund.approved"]);
    expect(await actions({ target: "nothing-like-it" })).toEqual([]);
  });

  it("drops filter values that cannot be used", () => {
    expect(auditFiltersSchema.parse({ action: "", actor: "  ", target: "x".repeat(201), from: "yesterday" })).toEqual({
      action: undefined,
      actor: undefined,
      target: undefined,
      from: undefined,
      to: undefined,
      after: undefined,
    });
  });

  it("offers each distinct action once, sorted", async () => {
    expect(await listAuditActions(t.db)).toEqual([
      "auth.login_failed",
      "auth.sign_in",
      "notification.rejected",
      "refund.approved",
      "refund.requested",
    ]);
  });

  it("shows a merchant's users their merchant's rows only; the platform's rows only to platform admins", async () => {
    const other = await createMerchant(t.db, "Other shop");
    await appendAudit(t.db, SYSTEM_ACTOR, "refund.requested", {
      type: "refund",
      id: "R-MINE",
      merchantId: platform.merchantId,
    });
    await appendAudit(t.db, SYSTEM_ACTOR, "refund.requested", { type: "refund", id: "R-THEIRS", merchantId: other.id });
    const targets = async (scope: LogScope) =>
      (await listAuditEntries(t.db, scope, noFilters)).rows.map((r) => r.targetId);
    const merchantOnly = await targets({ merchantId: platform.merchantId, withUnattributed: false });
    expect(merchantOnly).toEqual(["R-MINE"]);
    const withPlatform = await targets(platform);
    expect(withPlatform).toContain("R-MINE");
    expect(withPlatform).toContain("R1");
    expect(withPlatform).not.toContain("R-THEIRS");
    expect(await targets({ merchantId: other.id, withUnattributed: false })).toEqual(["R-THEIRS"]);
  });
});
