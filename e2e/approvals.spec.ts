import { expect, test, type Page } from "@playwright/test";
import { signedInAs } from "./session";
import { E2E_PASSWORD, E2E_USERS } from "./users";

/** An unrefunded order above the default approval threshold (¥1,000), opened from the orders list. */
async function openLargeUnrefundedOrder(page: Page): Promise<string> {
  await page.goto("/orders?state=none&min=1500");
  const link = page.locator("tbody tr").first().locator("a").first();
  const orderNo = (await link.textContent())?.trim() ?? "";
  await link.click();
  await expect(page.getByRole("heading", { name: `Order ${orderNo}` })).toBeVisible();
  return orderNo;
}

test("a large refund waits for a second person, who approves it; it then goes to WeChat Pay", async ({ browser }) => {
  const operator = await browser.newContext(signedInAs("operator"));
  const page = await operator.newPage();
  const orderNo = await openLargeUnrefundedOrder(page);

  // Above the threshold the form says so and asks for the password again.
  await page.getByLabel("Amount (¥)").fill("1200");
  await expect(page.getByTestId("approval-needed")).toContainText("approval threshold of ¥1,000.00");
  await page.getByLabel("Your password").fill("not-my-password");
  await page.getByRole("button", { name: "Review refund…" }).click();
  await page.getByRole("button", { name: "Confirm refund of ¥1,200.00" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong password" })).toContainText(
    "the refund was not requested",
  );
  await expect(page.getByText("Wrong password.", { exact: true })).toBeVisible();
  await expect(page.getByText("0 / 50 refunds")).toBeVisible();

  await page.getByLabel("Your password").fill(E2E_PASSWORD);
  await page.getByRole("button", { name: "Review refund…" }).click();
  await expect(page.getByRole("dialog", { name: "Confirm refund" })).toContainText("waits for an approver");
  await page.getByRole("button", { name: "Confirm refund of ¥1,200.00" }).click();
  await expect(page.getByRole("status").filter({ hasText: "waiting for approval" })).toBeVisible();
  const refund = page.getByRole("article").filter({ hasText: "¥1,200.00" });
  await expect(refund.getByText("Awaiting approval").first()).toBeVisible();
  await expect(refund.getByTestId("awaiting-approval")).toContainText(
    `an approver other than ${E2E_USERS.operator.name}`,
  );

  // The requester sees it in the queue, but cannot decide on it.
  await page.goto("/approvals");
  const ownRow = page.getByRole("row").filter({ hasText: orderNo });
  await expect(ownRow.getByTestId("waiting-for-other")).toHaveText("Waiting for another approver");
  await expect(ownRow.getByRole("button")).toHaveCount(0);
  await expect(page.getByTestId("own-waiting")).toBeVisible();

  // An approver approves it.
  const approver = await browser.newContext(signedInAs("approver"));
  const approverPage = await approver.newPage();
  await approverPage.goto("/approvals");
  const row = approverPage.getByRole("row").filter({ hasText: orderNo });
  await expect(row).toContainText(E2E_USERS.operator.name);
  await row.getByRole("button", { name: "Approve ¥1,200.00" }).click();
  await expect(approverPage.getByRole("row").filter({ hasText: orderNo })).toHaveCount(0);

  // The order shows both people, and the refund reaches WeChat Pay and succeeds (the simulator settles it).
  await page.goto("/orders");
  await page.getByLabel("Search").fill(orderNo);
  await page.getByRole("button", { name: "Apply" }).click();
  await page.getByRole("link", { name: orderNo }).click();
  const approved = page.getByRole("article").filter({ hasText: "¥1,200.00" });
  await expect(approved).toContainText(`Approved by${E2E_USERS.approver.name}`);
  const timeline = approved.getByRole("list", { name: "Refund timeline" });
  await expect(timeline).toContainText(`by ${E2E_USERS.operator.name}`);
  await expect(timeline).toContainText(`by ${E2E_USERS.approver.name}`);
  await expect(approved.getByText("Succeeded").first()).toBeVisible({ timeout: 45_000 });

  await operator.close();
  await approver.close();
});

test.describe("approver", () => {
  test.use(signedInAs("approver"));

  test("rejects a waiting refund with a note; its amount is released", async ({ page }) => {
    await page.goto("/approvals");
    const waiting = page
      .getByRole("row")
      .filter({ has: page.getByRole("button", { name: "Reject…" }) })
      .first();
    const orderNo = (await waiting.getByRole("link").first().textContent())?.trim() ?? "";
    const row = page.getByRole("row").filter({ hasText: orderNo });
    await row.getByRole("button", { name: "Reject…" }).click();
    await row.getByLabel(/Why is it rejected/).fill("Customer changed their mind 顾客改变主意");
    await row.getByRole("button", { name: /^Reject ¥/ }).click();
    await expect(page.getByRole("row").filter({ hasText: orderNo })).toHaveCount(0);

    await page.goto("/orders");
    await page.getByLabel("Search").fill(orderNo);
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByRole("link", { name: orderNo }).click();
    const rejected = page.getByRole("article").filter({ hasText: "Customer changed their mind" });
    await expect(rejected.getByText("Rejected").first()).toBeVisible();
    await expect(rejected).toContainText(`Rejected by${E2E_USERS.approver.name}`);
    await expect(page.getByText("0 / 50 refunds")).toBeVisible();
  });
});

test("viewers see the queue read-only", async ({ browser }) => {
  const viewer = await browser.newContext(signedInAs("viewer"));
  const page = await viewer.newPage();
  await page.goto("/approvals");
  await expect(page.getByRole("heading", { name: "Refunds awaiting approval" })).toBeVisible();
  await expect(page.getByRole("button", { name: /^Approve/ })).toHaveCount(0);
  await expect(page.getByText("Waiting for an approver").first()).toBeVisible();
  await viewer.close();
});
