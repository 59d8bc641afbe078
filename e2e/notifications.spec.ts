import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { signedInAs } from "./session";

/**
 * A verified APIv3 callback stored as `unmatched` for a refund the console holds now, as when WeChat's callback
 * arrives before the refund is recorded. Written straight into the e2e database: a signed callback for a refund the
 * console does not know cannot be produced from the browser. Reports ABNORMAL, which the page flags.
 */
async function storeEarlyCallback(): Promise<{ outRefundNo: string; notificationId: string }> {
  const sql = postgres(process.env.E2E_DATABASE_URL!, { max: 1, onnotice: () => {} });
  try {
    const [refund] = await sql<
      {
        out_refund_no: string;
        amount_fen: string;
        merchant_id: string;
        mchid: string;
        out_trade_no: string;
        transaction_id: string;
        total_fen: string;
      }[]
    >`
      select r.out_refund_no, r.amount_fen, r.merchant_id, m.mchid, o.out_trade_no, o.transaction_id, o.total_fen
      from refunds r join orders o on o.id = r.order_id join merchants m on m.id = r.merchant_id
      where r.status = 'SUCCESS' order by r.id desc limit 1`;
    if (!refund) throw new Error("the demo data has no successful refund");
    const notificationId = randomUUID();
    const resource = {
      mchid: refund.mchid,
      out_trade_no: refund.out_trade_no,
      transaction_id: refund.transaction_id,
      out_refund_no: refund.out_refund_no,
      refund_id: "50300000000000000000000000001",
      refund_status: "ABNORMAL",
      user_received_account: "招商银行信用卡0403",
      amount: {
        total: Number(refund.total_fen),
        refund: Number(refund.amount_fen),
        payer_total: Number(refund.total_fen),
        payer_refund: Number(refund.amount_fen),
      },
    };
    await sql`
      insert into notifications (protocol, notification_id, event_type, verification, headers, raw_body, decrypted, merchant_id, outcome, response_status, response_body)
      values ('v3', ${notificationId}, 'REFUND.ABNORMAL', 'verified', ${sql.json({ "wechatpay-serial": "E2E" })}, '{}', ${sql.json(resource)},
              ${refund.merchant_id}, 'unmatched', 404, '{"code":"FAIL","message":"refund not found"}')`;
    return { outRefundNo: refund.out_refund_no, notificationId };
  } finally {
    await sql.end();
  }
}

test("an admin re-applies a callback that arrived before its refund, and the audit log records it", async ({
  browser,
}) => {
  const { outRefundNo, notificationId } = await storeEarlyCallback();

  const viewer = await browser.newContext(signedInAs("viewer"));
  const viewerPage = await viewer.newPage();
  await viewerPage.goto("/notifications?outcome=unmatched");
  const viewerRow = viewerPage.locator("details").filter({ hasText: notificationId });
  await viewerRow.locator("summary").click();
  await expect(viewerRow).toContainText("Decrypted payload");
  // A viewer sees where the money went masked; the page they were sent holds no more than that.
  await expect(viewerRow).toContainText('"user_received_account": "*******0403"');
  expect(await viewerPage.content()).not.toContain("招商银行信用卡0403");
  await expect(viewerRow.getByRole("button", { name: "Re-apply" })).toHaveCount(0);
  await viewer.close();

  const admin = await browser.newContext(signedInAs("admin"));
  const page = await admin.newPage();
  await page.goto("/notifications");
  await page.getByLabel("Outcome").selectOption({ label: "Unmatched" });
  await page.getByLabel("Event type").selectOption("REFUND.ABNORMAL");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/outcome=unmatched&event=REFUND.ABNORMAL/);
  const row = page.locator("details").filter({ hasText: notificationId });
  const summary = row.locator("summary");
  await expect(summary).toContainText("Abnormal");
  await expect(summary).toContainText("Refund exists now");
  await expect(summary.getByRole("link", { name: outRefundNo })).toBeVisible();

  await summary.click();
  await expect(row).toContainText("招商银行信用卡0403");
  await expect(row).toContainText("abnormal-refund application");
  await row.getByRole("button", { name: "Re-apply" }).click();
  // The refund already succeeded, so WeChat's ABNORMAL cannot move it back: recorded as stale, said so. The row is
  // no longer unmatched, so it leaves the filtered list; the result stays above it.
  await expect(page.getByRole("status")).toContainText(notificationId);
  await expect(page.getByRole("status")).toContainText("already shows this result or a later one");
  await expect(row).toHaveCount(0);

  await page.goto(`/notifications?outcome=stale&event=REFUND.ABNORMAL`);
  await expect(page.locator("details").filter({ hasText: notificationId }).locator("summary")).toContainText("Stale");

  await page.goto("/audit?action=notification.reapplied");
  await expect(page.locator("tbody tr").first()).toContainText("Callback re-applied");
  await expect(page.locator("tbody tr").first()).toContainText(outRefundNo);
  await admin.close();
});
