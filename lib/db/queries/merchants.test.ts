import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../../tests/db";
import { merchants } from "../schema";
import { listMerchants } from "./merchants";

describe("listMerchants", () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDb();
    await t.db.insert(merchants).values([
      { mchid: "1900000300", appid: "wx3", displayName: "Not theirs" },
      { mchid: "1900000109", appid: "wx1", displayName: "Zeta", merchantSerialNo: "SERIAL" },
      {
        mchid: "1900000100",
        appid: "wx2",
        displayName: "Alpha",
        mode: "partner",
        subMchid: "1900000200",
        apiVersion: "v2",
        approvalThresholdFen: 5_000,
      },
    ]);
  });
  afterAll(() => t.drop());

  it("lists the given merchants by name with their display columns only, never another", async () => {
    const all = await t.db.select().from(merchants);
    const theirs = all.filter((m) => m.displayName !== "Not theirs").map((m) => m.id);
    const rows = await listMerchants(t.db, theirs);
    expect(rows.map((m) => m.displayName)).toEqual(["Alpha", "Zeta"]);
    expect(rows[0]).toMatchObject({
      mchid: "1900000100",
      mode: "partner",
      subMchid: "1900000200",
      apiVersion: "v2",
      credentialsRef: "env",
      approvalThresholdFen: 5_000,
    });
    expect(Object.keys(rows[1]!).sort()).toEqual([
      "apiVersion",
      "appid",
      "approvalThresholdFen",
      "credentialsRef",
      "displayName",
      "id",
      "mchid",
      "mode",
      "subAppid",
      "subMchid",
    ]);
  });
});
