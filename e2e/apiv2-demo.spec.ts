import { expect, test } from "@playwright/test";
import { signedInAs } from "./session";
import { simulatorControl } from "./simulator";

/** Seeded by `npm start` beside the APIv3 demo merchant (lib/setup/demo-seed-v2.ts). */
const V2_MERCHANT = { mchid: "1900000110", name: "演示商户 APIv2 / Demo merchant (APIv2)" };

test.use(signedInAs("operator"));

test("an operator refunds part of an APIv2 demo order over mutual TLS and sees the req_info callback settle it", async ({
  page,
}) => {
  // Found as an operator would: the merchant switcher in the header, then an order nobody has refunded.
  await page.goto("/orders");
  await page.getByRole("combobox", { name: "Merchant" }).selectOption({ label: V2_MERCHANT.name });
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/orders");
  await expect(page.getByTestId("current-merchant")).toHaveValue(/.+/);
  await page.getByLabel("Refund state").selectOption({ label: "Not refunded" });
  await page.getByRole("button", { name: "Apply" }).click();
  const orderLink = page.locator("tbody tr").nth(2).locator("a").first();
  const orderNo = (await orderLink.textContent())?.trim() ?? "";
  expect(orderNo).toMatch(/^DEMOV2/);
  await orderLink.click();
  await expect(page.getByRole("heading", { name: `Order ${orderNo}` })).toBeVisible();

  await page.getByLabel("Amount (¥)").fill("2.50");
  await page.getByRole("button", { name: "Review refund…" }).click();
  await page.getByRole("button", { name: "Confirm refund of ¥2.50" }).click();

  const refund = page.getByRole("article").filter({ hasText: "¥2.50" });
  await expect(refund).toBeVisible();
  await expect(refund.getByText("Succeeded").first()).toBeVisible({ timeout: 45_000 });
  // Settled by WeChat's APIv2 callback (XML, req_info decrypted with the APIv2 key), not by a query.
  await expect(refund.getByText("callback", { exact: true }).first()).toBeVisible();

  // The simulator's side: the refund came over APIv2 with the client certificate, and the callback was taken.
  const control = simulatorControl();
  const [made] = (await control.refunds({ mchid: V2_MERCHANT.mchid })).filter((r) => r.outTradeNo === orderNo);
  expect(made).toMatchObject({ protocol: "v2", refundFen: 250, status: "SUCCESS" });
  const applied = (await control.requests("/secapi/pay/refund")).filter((r) => r.body.includes(made!.outRefundNo));
  expect(applied.map((r) => r.status)).toContain(200);
  const deliveries = await control.deliveries({ outRefundNo: made!.outRefundNo });
  expect(deliveries).toEqual([expect.objectContaining({ protocol: "v2", status: "SUCCESS", state: "delivered" })]);

  await page.screenshot({ path: "test-results/apiv2-demo-refund.png", fullPage: true });
});
