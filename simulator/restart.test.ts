import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ManualScheduler } from "./test-support/manual-scheduler";
import { addMerchant, startHarness, startReceiver, v3Client } from "./test-support/harness";

const dir = mkdtempSync(join(tmpdir(), "wxpay-sim-restart-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("restart", () => {
  it("keeps merchants, transactions and refunds, and resumes pending settlements and deliveries", async () => {
    const stateFile = join(dir, "state.json");
    const receiver = await startReceiver(new ManualScheduler());
    receiver.answer = () => ({ status: 500 });

    const first = await startHarness({ stateFile });
    const merchant = await addMerchant(first, { notifyUrl: receiver.url });
    await first.control.addTransactions(merchant.mchid, [
      { outTradeNo: "T1", totalFen: 1000, paidAt: first.clock.now() - 3600_000 },
      { outTradeNo: "T2", totalFen: 1000, paidAt: first.clock.now() - 3600_000 },
    ]);
    const before = v3Client(first, merchant, "public_key").client;
    const apply = (outTradeNo: string, outRefundNo: string) =>
      before.applyRefund({
        out_trade_no: outTradeNo,
        out_refund_no: outRefundNo,
        amount: { refund: 100, total: 1000, currency: "CNY" },
      });

    // R2 settles and its notification is refused: a delivery waits for its 15 s retry.
    expect((await apply("T2", "R2")).ok).toBe(true);
    await first.clock.advance(3000);
    expect(receiver.received).toHaveLength(1);
    // R1 is still PROCESSING when the simulator stops, its settlement 3 s away.
    await first.control.script({ outRefundNo: "R1", status: "SUCCESS", delayMs: 3000 });
    expect((await apply("T1", "R1")).ok).toBe(true);
    await first.close();

    expect(statSync(stateFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["state.json"]); // written by rename: no temporary file left behind

    const second = await startHarness({ stateFile }, new ManualScheduler(first.clock.now() + 60_000));
    try {
      receiver.answer = () => ({ status: 204 });
      await second.clock.advance(0); // both were due while the simulator was down
      expect(receiver.received.map((r) => JSON.parse(r.body).event_type)).toEqual([
        "REFUND.SUCCESS",
        "REFUND.SUCCESS",
        "REFUND.SUCCESS",
      ]);
      const deliveries = await second.control.deliveries();
      expect(deliveries.map((d) => [d.outRefundNo, d.state, d.rounds])).toEqual([
        ["R2", "delivered", 2],
        ["R1", "delivered", 1],
      ]);
      // The same merchant keys work against the restarted simulator.
      const after = v3Client(second, merchant, "public_key").client;
      expect(await after.queryRefund("R1")).toMatchObject({ ok: true, value: { status: "SUCCESS" } });
      expect(await second.control.refunds()).toHaveLength(2);
    } finally {
      await second.close();
      await receiver.close();
    }
  });
});
