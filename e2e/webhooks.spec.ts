import { expect, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { WebhookReceiver } from "../tests/fixtures/webhook-receiver";
import { signedInAs } from "./session";
import { E2E_SIMULATOR, simulatorControl } from "./simulator";

test.describe("webhooks and alerts", () => {
  test.use(signedInAs("admin"));
  const shop = new WebhookReceiver();
  let shopUrl: string;
  test.beforeAll(async () => {
    shopUrl = await shop.start();
  });
  test.afterAll(() => shop.stop());

  test("adds an endpoint, sends a test event the shop verifies, reads the delivery log and resends", async ({
    page,
  }) => {
    await page.goto("/admin/webhooks");
    await expect(
      page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Webhooks" }),
    ).toHaveAttribute("aria-current", "page");
    await page.getByLabel("URL").fill(shopUrl);
    await page.getByLabel("Description").fill("Shop back end");
    await expect(page.getByLabel("refund.succeeded")).toBeChecked();
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const secret = (await page.getByTestId("shown-once").textContent())!;
    expect(secret).toMatch(/^whsec_/);
    const row = page.locator("tbody tr").filter({ hasText: shopUrl });
    await expect(row).toContainText("Enabled");
    await page.screenshot({ path: "test-results/webhooks-list.png", fullPage: true });

    await row.getByRole("link", { name: shopUrl }).click();
    await expect(page.getByRole("heading", { name: "Shop back end" })).toBeVisible();
    await page.getByRole("button", { name: "Send test event" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Test event queued" })).toBeVisible();

    // The workers deliver it within seconds; the shop verifies it as any Standard Webhooks receiver would.
    await expect.poll(() => shop.received.length, { timeout: 20_000 }).toBe(1);
    const first = shop.received[0]!;
    const payload = new Webhook(secret).verify(first.body, first.headers as Record<string, string>);
    expect(payload).toMatchObject({ type: "webhook.test" });
    const webhookId = first.headers["webhook-id"] as string;

    const delivery = page.locator("tbody tr").filter({ hasText: webhookId }).first();
    await expect(async () => {
      await page.reload();
      await expect(delivery).toContainText("Delivered", { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expect(delivery).toContainText("204");

    await delivery.getByRole("button", { name: `Resend ${webhookId}` }).click();
    await expect(page.getByRole("status").filter({ hasText: "Queued again" })).toBeVisible();
    await expect.poll(() => shop.received.length, { timeout: 20_000 }).toBe(2);
    // The same webhook-id: the shop can tell it is a repeat.
    expect(shop.received[1]!.headers["webhook-id"]).toBe(webhookId);
    await expect(async () => {
      await page.reload();
      await expect(delivery.getByRole("cell").nth(3)).toHaveText("2", { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    // The log: both attempts, each request with its signed headers.
    const attempts = page.locator("summary", { hasText: webhookId });
    await expect(attempts).toHaveCount(2);
    await attempts.first().click();
    await expect(page.locator("pre").first()).toContainText("webhook-signature: v1,");
    await expect(page.locator("pre").first()).toContainText(`webhook-id: ${webhookId}`);
    await page.screenshot({ path: "test-results/webhooks-delivery-log.png", fullPage: true });
  });

  test("adds a WeCom robot and its test message arrives in the simulator's group", async ({ page }) => {
    await page.goto("/admin/alerts");
    await page.getByLabel("Type").selectOption("wecom");
    await page.getByLabel("Name").fill("Ops group");
    await page.getByLabel("Webhook URL").fill(`http://127.0.0.1:${E2E_SIMULATOR.port}/_sim/robots/wecom`);
    await page.getByRole("button", { name: "Add channel" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Channel added." })).toBeVisible();
    const row = page.locator("tbody tr").filter({ hasText: "Ops group" });
    await row.getByRole("button", { name: "Send test" }).click();
    await expect(row.getByRole("status")).toHaveText("Test message accepted.");
    const messages = await simulatorControl().robots();
    // The demo's own channel may have sent alerts about the seeded refunds meanwhile.
    expect(messages.filter((m) => m.robot === "wecom" && m.text.includes("Refund console alert test"))).toHaveLength(1);
    await page.screenshot({ path: "test-results/alerts.png", fullPage: true });
    // The demo's group: the simulator's page shows what the robots received.
    await page.goto(`http://127.0.0.1:${E2E_SIMULATOR.port}/_sim/?token=${E2E_SIMULATOR.controlToken}`);
    const robotTable = page.locator("table").last();
    await expect(robotTable).toContainText("Refund console alert test");
    await robotTable.scrollIntoViewIfNeeded();
    await page.screenshot({ path: "test-results/simulator-robots.png" });
  });
});
