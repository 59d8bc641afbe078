import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as refundPOST } from "@/app/api/notify/refund/route";
import { REFUSED_ROWS_PER_MINUTE } from "@/lib/notifications/refused";
import { setDbForTests } from "@/lib/db/client";
import { notifications, type Refund } from "@/lib/db/schema";
import { createTestDb, type TestDatabase } from "@/tests/db";
import {
  MERCHANT_ENV,
  moneyState,
  PLATFORM,
  post,
  processingRefund,
  refundResource,
  v3Callback,
} from "@/tests/fixtures/notifications";
import { createUser } from "@/tests/fixtures/orders";

/**
 * A merchant in platform-certificate mode (no WeChat Pay public key configured) downloads certificates when a
 * callback names a serial it does not hold. A flood of callbacks with made-up serials must not become a flood of
 * downloads: at most one a minute, whatever arrives.
 */
describe("a flood of unknown serials", () => {
  let t: TestDatabase;
  let refund: Refund;
  let server: Server;
  let downloads = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith("/v3/certificates")) downloads += 1;
      res.writeHead(500, { "Content-Type": "application/json" }).end('{"code":"SYSTEM_ERROR","message":"down"}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { WECHATPAY_PUBLIC_KEY_ID: _id, WECHATPAY_PUBLIC_KEY: _key, ...certificateMode } = MERCHANT_ENV;
    for (const [name, value] of Object.entries(certificateMode)) vi.stubEnv(name, value);
    vi.stubEnv("WECHATPAY_PUBLIC_KEY_ID", "");
    vi.stubEnv("WECHATPAY_PUBLIC_KEY", "");
    vi.stubEnv("WECHATPAY_BASE_URL", `http://127.0.0.1:${(server.address() as { port: number }).port}`);
    t = await createTestDb();
    setDbForTests(t.db);
    const operator = await createUser(t.db, "operator");
    refund = await processingRefund(t.db, {
      actor: { id: operator.id, label: operator.email },
      userId: operator.id,
      orderIntervalMs: 0,
    });
  });
  afterAll(async () => {
    setDbForTests(undefined);
    vi.unstubAllEnvs();
    await new Promise((resolve) => server.close(resolve));
    await t.drop();
  });

  const flood = (wave: number) =>
    Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const serial = `FLOOD${wave}${String(i).padStart(34, "0")}`;
        const callback = v3Callback(refundResource(refund, "SUCCESS"), "REFUND.SUCCESS", {
          signer: { ...PLATFORM, serial },
        });
        return (await refundPOST(post("/api/notify/refund", callback.body, callback.headers))).status;
      }),
    );

  it("answers 400 forged callbacks with made-up serials with 400, downloading certificates at most twice a minute", async () => {
    const before = await moneyState(t.db);
    // The first use of the store loads the certificates; one unknown serial may then trigger one more download,
    // in either wave (which one depends on when the first load finishes).
    expect(new Set(await flood(1))).toEqual(new Set([400]));
    expect(downloads).toBeGreaterThanOrEqual(1);
    // Within the minute, another 200 unknown serials add no download beyond those two.
    expect(new Set(await flood(2))).toEqual(new Set([400]));
    expect(downloads).toBeLessThanOrEqual(2);
    expect(await moneyState(t.db)).toEqual(before);
    // Stored within the per-minute cap on refusals (a minute may turn during the flood), each as refused.
    const rows = await t.db.select().from(notifications);
    expect(rows.length).toBeGreaterThanOrEqual(REFUSED_ROWS_PER_MINUTE.perSource);
    expect(rows.length).toBeLessThanOrEqual(2 * REFUSED_ROWS_PER_MINUTE.total);
    expect(new Set(rows.map((r) => r.outcome))).toEqual(new Set(["rejected"]));
  });
});
