import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDatabase } from "@/tests/db";
import {
  ADMIN_ACTOR,
  addVersion,
  createDbMerchant,
  keyMaterial,
  masterKeyEnv,
  type KeyMaterial,
} from "@/tests/fixtures/db-merchants";
import { post, processingRefund, refundResource, v3Callback } from "@/tests/fixtures/notifications";
import { createUser } from "@/tests/fixtures/orders";
import { setDbForTests } from "@/lib/db/client";
import { notifications, refunds, type Merchant, type Refund } from "@/lib/db/schema";
import { activateCredentials, retireCredentials } from "@/lib/merchants/credentials";
import { POST as refundPOST } from "./refund/route";

/**
 * Callbacks for merchants whose keys are uploaded in the console: the route finds the merchant among several by the
 * key that verifies and decrypts, then by the decrypted mchid; during a rotation the standby version still opens.
 */
describe("POST /api/notify/refund with merchants configured in the database", () => {
  let t: TestDatabase;
  const { masterKey, env } = masterKeyEnv();
  let a: { merchant: Merchant; material: KeyMaterial };
  let b: { merchant: Merchant; material: KeyMaterial };
  let refundA: () => Promise<Refund>;
  let refundB: () => Promise<Refund>;
  let sequence = 0;

  beforeAll(async () => {
    t = await createTestDb();
    setDbForTests(t.db);
    vi.stubEnv("APP_ENCRYPTION_KEY", env.APP_ENCRYPTION_KEY!);
    a = await createDbMerchant(t.db, masterKey, { mchid: "1900000301", displayName: "Shop A" });
    b = await createDbMerchant(t.db, masterKey, { mchid: "1900000302", displayName: "Shop B" });
    const operator = await createUser(t.db, "operator");
    const context = { actor: { id: operator.id, label: operator.email }, userId: operator.id, orderIntervalMs: 0 };
    refundA = () => processingRefund(t.db, context, { merchantId: a.merchant.id, outRefundNo: `RDBA${++sequence}` });
    refundB = () => processingRefund(t.db, context, { merchantId: b.merchant.id, outRefundNo: `RDBB${++sequence}` });
  });
  afterAll(async () => {
    setDbForTests(undefined);
    vi.unstubAllEnvs();
    await t.drop();
  });

  /** A REFUND.SUCCESS callback for `refund` of `merchant`, signed with one version's platform key and encrypted with one's APIv3 key. */
  function callback(
    refund: Refund,
    merchant: Merchant,
    signedWith: KeyMaterial,
    encryptedWith: KeyMaterial = signedWith,
  ) {
    const built = v3Callback(refundResource(refund, "SUCCESS", { mchid: merchant.mchid }), "REFUND.SUCCESS", {
      apiV3Key: encryptedWith.upload.apiV3Key,
      signer: signedWith.platformSigner,
    });
    return post("/api/notify/refund", built.body, built.headers);
  }

  async function outcomeOf(refund: Refund) {
    const [row] = await t.db.select().from(refunds).where(eq(refunds.id, refund.id));
    const [notification] = await t.db
      .select()
      .from(notifications)
      .orderBy(notifications.id)
      .limit(1)
      .offset((await t.db.$count(notifications)) - 1);
    return { status: row!.status, notification };
  }

  it("applies each merchant's callback to that merchant, whichever merchant comes first", async () => {
    const ofB = await refundB();
    expect((await refundPOST(callback(ofB, b.merchant, b.material))).status).toBe(204);
    expect(await outcomeOf(ofB)).toMatchObject({
      status: "SUCCESS",
      notification: { merchantId: b.merchant.id, outcome: "applied" },
    });

    const ofA = await refundA();
    expect((await refundPOST(callback(ofA, a.merchant, a.material))).status).toBe(204);
    expect(await outcomeOf(ofA)).toMatchObject({
      status: "SUCCESS",
      notification: { merchantId: a.merchant.id, outcome: "applied" },
    });
  });

  it("refuses a callback that names merchant A but is encrypted with B's key", async () => {
    const ofA = await refundA();
    const response = await refundPOST(callback(ofA, a.merchant, b.material));
    expect(response.status).toBe(400);
    expect(await outcomeOf(ofA)).toMatchObject({
      status: "PROCESSING",
      notification: { verification: "rejected", rejectionCode: "MERCHANT_MISMATCH" },
    });
  });

  it("during a rotation opens callbacks of the standby version, also mixed with the new one, until it is retired", async () => {
    const next = keyMaterial(a.merchant.mchid);
    const version = await addVersion(t.db, masterKey, a.merchant.id, next, false);
    // Uploaded but not yet active: WeChat may already use the new keys.
    const early = await refundA();
    expect((await refundPOST(callback(early, a.merchant, next))).status).toBe(204);

    expect(await activateCredentials(t.db, { merchantId: a.merchant.id, version, actor: ADMIN_ACTOR })).toMatchObject({
      ok: true,
    });
    const old = await refundA();
    expect((await refundPOST(callback(old, a.merchant, a.material))).status).toBe(204);
    expect(await outcomeOf(old)).toMatchObject({ status: "SUCCESS", notification: { merchantId: a.merchant.id } });
    // WeChat's platform key and the merchant's APIv3 key change independently: old signature, new encryption.
    const mixed = await refundA();
    expect((await refundPOST(callback(mixed, a.merchant, a.material, next))).status).toBe(204);

    expect(
      await retireCredentials(t.db, { merchantId: a.merchant.id, version: version - 1, actor: ADMIN_ACTOR }),
    ).toMatchObject({ ok: true });
    const late = await refundA();
    expect((await refundPOST(callback(late, a.merchant, a.material))).status).toBe(400);
    expect(await outcomeOf(late)).toMatchObject({
      status: "PROCESSING",
      notification: { verification: "rejected", rejectionCode: "UNKNOWN_SERIAL" },
    });
    expect((await refundPOST(callback(late, a.merchant, next, a.material))).status).toBe(400);
    expect((await refundPOST(callback(late, a.merchant, next))).status).toBe(204);
  });
});
