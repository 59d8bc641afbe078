import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { CurrentUser } from "@/app/_server/session";
import { setDbForTests } from "@/lib/db/client";
import { notifications, type UserRole } from "@/lib/db/schema";
import { createTestDb, type TestDatabase } from "@/tests/db";
import { createMerchant } from "@/tests/fixtures/merchant-api";
import { sessionUser } from "@/tests/fixtures/session";
import { GET } from "./route";

const session = vi.hoisted(() => ({ user: null as CurrentUser | null }));
vi.mock("@/app/_server/session", () => ({ currentUser: async () => session.user }));

/** A verified callback as WeChat sends it, naming the card the money went back to. */
const decrypted = { out_refund_no: "R-1", refund_status: "SUCCESS", user_received_account: "招商银行信用卡0403" };

describe("a callback's details (the callback log's opened row)", () => {
  let t: TestDatabase;
  let merchantId: string;
  let id: number;
  const as = (role: UserRole) => {
    session.user = sessionUser(
      { id: "00000000-0000-4000-8000-000000000001", email: "a@b.c", name: role },
      role,
      merchantId,
    );
  };
  const get = async (notification: string | number) =>
    GET(new Request("http://console.test/"), { params: Promise.resolve({ id: String(notification) }) });

  beforeAll(async () => {
    t = await createTestDb();
    setDbForTests(t.db);
    merchantId = (await createMerchant(t.db)).id;
    const [row] = await t.db
      .insert(notifications)
      .values({
        protocol: "v3",
        notificationId: "N-1",
        eventType: "REFUND.SUCCESS",
        verification: "verified",
        outcome: "applied",
        headers: { "wechatpay-serial": "PUB_KEY_ID_1" },
        rawBody: '{"resource":{"ciphertext":"…"}}',
        decrypted,
        merchantId,
        responseStatus: 204,
      })
      .returning();
    id = row!.id;
  });
  afterAll(() => t.drop());

  it("gives an operator what WeChat said, with its headers and raw body", async () => {
    as("operator");
    const response = await get(id);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({
      rejectionReason: null,
      decrypted,
      headers: { "wechatpay-serial": "PUB_KEY_ID_1" },
      rawBodyPreview: '{"resource":{"ciphertext":"…"}}',
      rawBodyBytes: 33,
      rawBodyCutAtBytes: null,
    });
  });

  it("masks the payer's account for a viewer: their browser never gets it", async () => {
    as("viewer");
    const body = await (await get(id)).text();
    expect(body).not.toContain("招商银行信用卡0403");
    expect(JSON.parse(body).decrypted).toMatchObject({ out_refund_no: "R-1", user_received_account: "*******0403" });
  });

  it("answers 401 signed out, and 404 for a number that is no callback", async () => {
    session.user = null;
    expect((await get(id)).status).toBe(401);
    as("admin");
    expect((await get("abc")).status).toBe(404);
    expect((await get(id + 1000)).status).toBe(404);
  });
});
