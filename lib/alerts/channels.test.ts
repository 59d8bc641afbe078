import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDatabase } from "../../tests/db";
import { SYSTEM_ACTOR } from "../audit/append";
import { alertChannels } from "../db/schema";
import { createChannel, ensureDemoChannel, listChannels } from "./channels";

describe("alert channels", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.drop());

  it("adds the demo's simulator robot once, and only to a database without channels", async () => {
    expect(await ensureDemoChannel(t.db, "http://127.0.0.1:4010/_sim/robots/wecom")).toBe(true);
    expect(await ensureDemoChannel(t.db, "http://127.0.0.1:4010/_sim/robots/wecom")).toBe(false);
    expect(await t.db.select().from(alertChannels)).toHaveLength(1);
  });

  it("refuses private robot URLs without WEBHOOKS_ALLOW_PRIVATE and never lists secrets", async () => {
    const who = { actor: SYSTEM_ACTOR, policy: { allowPrivate: false } };
    const refused = await createChannel(t.db, { kind: "wecom", name: "x", url: "https://10.0.0.8/send" }, who);
    expect(refused).toMatchObject({ ok: false, error: { code: "INVALID_URL" } });
    const created = await createChannel(
      t.db,
      { kind: "dingtalk", name: "ops", url: "https://oapi.dingtalk.com/robot/send?access_token=t", secret: "SECabc" },
      who,
    );
    expect(created).toMatchObject({ ok: true, value: { signed: true } });
    const listed = await listChannels(t.db);
    expect(listed.every((c) => !("secret" in c))).toBe(true);
  });
});
