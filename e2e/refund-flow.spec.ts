import { expect, test, type Page } from "@playwright/test";
import { signedInAs } from "./session";

/**
 * An order nobody has refunded yet, found through the search box as an operator would. At most ¥500, so that refunding
 * all of it stays under the default approval threshold (¥1,000): these refunds go straight to WeChat Pay.
 */
async function openUnrefundedOrder(page: Page): Promise<string> {
  await page.goto("/orders?state=none&max=500");
  const orderNo = (await page.locator("tbody tr").nth(5).locator("a").first().textContent())?.trim() ?? "";
  await page.goto("/orders");
  await page.getByLabel("Search").fill(orderNo);
  await page.getByRole("button", { name: "Apply" }).click();
  await page.getByRole("link", { name: orderNo }).click();
  await expect(page.getByRole("heading", { name: `Order ${orderNo}` })).toBeVisible();
  return orderNo;
}

test.describe("operator", () => {
  test.use(signedInAs("operator"));

  test("refunds part of an order, watches it succeed live, then refunds the rest", async ({ page }) => {
    await openUnrefundedOrder(page);
    const remaining = page.getByTestId("amount-remaining");
    const before = (await remaining.textContent()) ?? "";

    await page.getByLabel("Amount (¥)").fill("1.23");
    await page.getByRole("button", { name: "Review refund…" }).click();
    await expect(page.getByRole("dialog", { name: "Confirm refund" })).toContainText("cannot be cancelled");
    await page.getByRole("button", { name: "Confirm refund of ¥1.23" }).click();

    const first = page.getByRole("article").filter({ hasText: "¥1.23" });
    await expect(first).toBeVisible();
    // The timeline moves on its own, without a reload: accepted by WeChat, then the callback's success.
    await expect(first.getByText("Processing").or(first.getByText("Succeeded")).first()).toBeVisible({
      timeout: 30_000,
    });
    await expect(first.getByText("Succeeded").first()).toBeVisible({ timeout: 45_000 });
    await expect(
      first
        .getByText("callback", { exact: true })
        .or(first.getByText("reconciler", { exact: true }))
        .first(),
    ).toBeVisible();
    await expect(remaining).not.toHaveText(before);

    await page.getByRole("button", { name: "Full remaining" }).click();
    const rest = await page.getByLabel("Amount (¥)").inputValue();
    await page.getByRole("button", { name: "Review refund…" }).click();
    await page
      .getByRole("button", {
        name: `Confirm refund of ¥${Number(rest).toLocaleString("en-US", { minimumFractionDigits: 2 })}`,
      })
      .click();

    await expect(page.getByTestId("refund-form-disabled")).toContainText("Nothing remains to be refunded");
    await expect(remaining).toHaveText("Remaining¥0.00");
    await expect(page.getByText("2 / 50 refunds")).toBeVisible();
  });

  test("an amount above what remains is refused with the reason and changes nothing", async ({ page }) => {
    await openUnrefundedOrder(page);
    await page.getByLabel("Amount (¥)").fill("99999999");
    await page.getByRole("button", { name: "Review refund…" }).click();
    await page.getByRole("button", { name: /Confirm refund of/ }).click();
    await expect(page.getByRole("alert").filter({ hasText: "remaining" })).toContainText("is more than the");
    await expect(page.getByText("0 / 50 refunds")).toBeVisible();
  });
});

test.describe("viewer", () => {
  test("sees no refund form, and a forged refund action is refused by the server", async ({ browser }) => {
    const operator = await browser.newContext(signedInAs("operator"));
    const operatorPage = await operator.newPage();
    await openUnrefundedOrder(operatorPage);
    const url = operatorPage.url();
    // Capture a genuine refund action request (one the rules refuse, so it changes nothing) to forge it as a viewer.
    await operatorPage.getByLabel("Amount (¥)").fill("99999999");
    await operatorPage.getByRole("button", { name: "Review refund…" }).click();
    const [genuine] = await Promise.all([
      operatorPage.waitForRequest((r) => r.method() === "POST" && Boolean(r.headers()["next-action"])),
      operatorPage.getByRole("button", { name: /Confirm refund of/ }).click(),
    ]);
    await expect(operatorPage.getByRole("alert").filter({ hasText: "remaining" })).toBeVisible();

    const viewer = await browser.newContext(signedInAs("viewer"));
    const viewerPage = await viewer.newPage();
    await viewerPage.goto(url);
    await expect(viewerPage.getByRole("heading", { name: /^Order /, level: 1 })).toBeVisible();
    await expect(viewerPage.getByRole("button", { name: "Review refund…" })).toHaveCount(0);

    const headers = genuine.headers();
    const forged = await viewer.request.post(url, {
      headers: {
        "next-action": headers["next-action"]!,
        "content-type": headers["content-type"]!,
        accept: "text/x-component",
        origin: new URL(url).origin,
      },
      data: (genuine.postData() ?? "").replace("99999999", "1.00"),
    });
    // The action itself checks the role: it answers FORBIDDEN and records nothing.
    expect(await forged.text()).toContain("FORBIDDEN");
    await operatorPage.reload();
    await expect(operatorPage.getByText("0 / 50 refunds")).toBeVisible();
    await operator.close();
    await viewer.close();
  });
});
