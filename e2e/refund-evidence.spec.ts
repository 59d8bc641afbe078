import { readFileSync, readdirSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { signedInAs } from "./session";

/**
 * The demo merchant's secrets of this run, which the simulator keeps under the e2e data directory
 * (`<tmp>/refund-console-e2e-<pid>/simulator/`): the newest such directory is this run's.
 */
function merchantSecrets(): { apiV3Key: string; apiV2Key: string; privateKeyPem: string } {
  const runs = readdirSync(os.tmpdir())
    .filter((name) => name.startsWith("refund-console-e2e-"))
    .map((name) => path.join(os.tmpdir(), name, "simulator"))
    .filter((dir) => {
      try {
        return statSync(path.join(dir, "merchant.json")).isFile();
      } catch {
        return false;
      }
    })
    .sort((a, b) => statSync(path.join(b, "merchant.json")).mtimeMs - statSync(path.join(a, "merchant.json")).mtimeMs);
  const dir = runs[0];
  if (!dir) throw new Error("no e2e simulator data directory found");
  const secrets = JSON.parse(readFileSync(path.join(dir, "merchant.json"), "utf8")) as {
    apiV3Key: string;
    apiV2Key: string;
  };
  return { ...secrets, privateKeyPem: readFileSync(path.join(dir, "merchant_private_key.pem"), "utf8") };
}

test.describe("refund evidence trail", () => {
  test.use(signedInAs("operator"));

  test("shows the request, the call to WeChat Pay and the verified callback in one timeline, and downloads them without secrets", async ({
    page,
  }) => {
    await page.goto("/orders?state=none");
    await page.locator("tbody tr").nth(8).locator("a").first().click();
    await page.getByLabel("Amount (¥)").fill("0.37");
    await page.getByRole("button", { name: "Review refund…" }).click();
    await page.getByRole("button", { name: "Confirm refund of ¥0.37" }).click();
    const card = page.getByRole("article").filter({ hasText: "¥0.37" });
    await expect(card.getByText("Succeeded").first()).toBeVisible({ timeout: 45_000 });

    await card.getByRole("link", { name: /^R\d{8}/ }).click();
    await expect(page.getByRole("heading", { level: 1, name: /^Refund R\d{8}/ })).toBeVisible();
    const trail = page.getByRole("list", { name: "Evidence trail" });
    const requested = trail.locator('[data-kind="event"]').filter({ hasText: "Requested" });
    const apply = trail.locator('[data-kind="exchange"]').filter({ hasText: "Sent refund application" });
    const callback = trail.locator('[data-kind="callback"]').filter({ hasText: "REFUND.SUCCESS" });
    await expect(requested).toHaveCount(1);
    await expect(apply).toContainText("POST /v3/refund/domestic/refunds");
    await expect(apply).toContainText("HTTP 200");
    await expect(callback).toContainText("Signature verified");
    await expect(callback).toContainText("Decrypted");
    await expect(callback).toContainText("Applied");

    // One timeline, in order: the operator's request, then the call it caused, then WeChat's callback.
    const kinds = await trail
      .locator(":scope > li")
      .evaluateAll((items) => items.map((li) => `${li.getAttribute("data-kind")}:${li.textContent}`));
    const position = (kind: string, text: string) =>
      kinds.findIndex((k) => k.startsWith(`${kind}:`) && k.includes(text));
    expect(position("event", "Requested")).toBeGreaterThanOrEqual(0);
    expect(position("event", "Requested")).toBeLessThan(position("exchange", "Sent refund application"));
    expect(position("exchange", "Sent refund application")).toBeLessThan(position("callback", "REFUND.SUCCESS"));

    // Each entry unfolds to its redacted record.
    await apply.getByText("Details").click();
    await expect(apply.getByText("Answer (redacted)")).toBeVisible();

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download evidence (JSON)" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^refund-evidence-R\d+.*\.json$/);
    const text = readFileSync((await download.path())!, "utf8");
    const evidence = JSON.parse(text) as {
      items: {
        kind: string;
        type?: string;
        operation?: string;
        eventType?: string;
        verification?: string;
        outcome?: string;
      }[];
    };
    expect(evidence.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "event", type: "requested" }),
        expect.objectContaining({ kind: "exchange", operation: "apply" }),
        expect.objectContaining({
          kind: "callback",
          eventType: "REFUND.SUCCESS",
          verification: "verified",
          outcome: "applied",
        }),
      ]),
    );
    const secrets = merchantSecrets();
    const keyBody = secrets.privateKeyPem.split("\n").filter((line) => line && !line.startsWith("-----"));
    expect(text).not.toContain(secrets.apiV3Key);
    expect(text).not.toContain(secrets.apiV2Key);
    expect(text).not.toContain("PRIVATE KEY");
    for (const line of keyBody) expect(text).not.toContain(line);
    expect(text).not.toMatch(/authorization|WECHATPAY2-SHA256-RSA2048/i);
  });

  test("the evidence download is refused without a session", async ({ browser }) => {
    const anonymous = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const response = await anonymous.request.get("/api/refunds/R1/evidence", { maxRedirects: 0 });
    // Sent to the login page (or refused by the route itself): never a file.
    expect(response.ok()).toBe(false);
    expect(response.headers()["content-disposition"]).toBeUndefined();
    await anonymous.close();
  });
});

test.describe("abnormal refunds", () => {
  test.use(signedInAs("approver"));

  test("are flagged in the needs-attention view, and an approver's application with a bad card number is refused before anything is sent", async ({
    page,
  }) => {
    await page.goto("/refunds");
    await page.getByRole("link", { name: /Needs attention/ }).click();
    await expect(page).toHaveURL(/attention=1/);
    const abnormal = page.locator("tbody tr").filter({ hasText: "Needs abnormal-refund application" }).first();
    await expect(abnormal).toBeVisible();
    await abnormal.getByRole("link", { name: /^R/ }).first().click();

    const form = page.getByRole("form", { name: "Abnormal-refund application" });
    const bank = form.getByRole("combobox");
    await expect(bank).toContainText("China Merchants Bank (debit)");
    await bank.selectOption("CMB_DEBIT");
    await form.getByLabel("Card number").fill("6214 83x9 0123");
    await form.getByLabel("Cardholder's name").fill("张三");
    await form.getByRole("button", { name: "Apply for abnormal refund" }).click();
    await expect(form.getByRole("alert").filter({ hasText: "6 to 32 digits" })).toBeVisible();
    // What was typed stays, to be corrected rather than typed again.
    await expect(form.getByLabel("Cardholder's name")).toHaveValue("张三");
    // Nothing was sent: the trail holds no abnormal-refund application.
    await expect(page.getByRole("list", { name: "Evidence trail" })).not.toContainText("abnormal-refund application");

    await form.getByLabel("The merchant's bank account").check();
    await expect(form.getByLabel("Card number")).toHaveCount(0);
  });

  test("to the payer's card takes two approvers: one enters the card, the other decides", async ({ page, browser }) => {
    // The second abnormal refund: the other tests here look at the first.
    await page.goto("/refunds?status=ABNORMAL");
    await page.locator("tbody tr").nth(1).getByRole("link", { name: /^R/ }).first().click();
    await expect(page).toHaveURL(/\/refunds\/R/);
    const refundUrl = page.url();
    const form = page.getByRole("form", { name: "Abnormal-refund application" });
    await form.getByRole("combobox").selectOption("ICBC_DEBIT");
    await form.getByLabel("Card number").fill("6214 8309 0123 4567");
    await form.getByLabel("Cardholder's name").fill("张三");
    await form.getByRole("button", { name: "Apply for abnormal refund" }).click();

    // The one who entered it sees it masked, and cannot decide on it.
    const entered = page.getByTestId("card-application");
    await expect(entered).toContainText("Bank card application awaiting a second approver");
    await expect(entered).toContainText("************4567");
    await expect(entered).not.toContainText("6214830901234567");
    await expect(entered).toContainText("You entered this card");
    await expect(entered.getByRole("button", { name: "Approve and send to WeChat Pay" })).toHaveCount(0);

    // Another approver (the admin) decides; here, rejects: nothing is sent, and the form is offered again.
    const admin = await browser.newContext(signedInAs("admin"));
    const other = await admin.newPage();
    await other.goto("/approvals");
    await expect(other.getByRole("region", { name: /bank card awaiting a second approver/ })).toContainText(
      "************4567",
    );
    await other.goto(refundUrl);
    const pending = other.getByTestId("card-application");
    await expect(pending.getByRole("button", { name: "Approve and send to WeChat Pay" })).toBeVisible();
    await other.screenshot({ path: "test-results/card-application.png", fullPage: true });
    await pending.getByLabel("Note (optional)").fill("Name does not match the order");
    await pending.getByRole("button", { name: "Reject" }).click();
    await expect(other.getByRole("form", { name: "Abnormal-refund application" })).toBeVisible();
    await expect(other.getByTestId("card-application")).toHaveCount(0);
    await expect(other.getByRole("list", { name: "Evidence trail" })).toContainText("Name does not match the order");
    await admin.close();
  });

  test("a viewer sees the abnormal refund explained but no form", async ({ browser }) => {
    const viewer = await browser.newContext(signedInAs("viewer"));
    const page = await viewer.newPage();
    await page.goto("/refunds?status=ABNORMAL");
    await page.locator("tbody tr").first().getByRole("link", { name: /^R/ }).first().click();
    await expect(page.getByText("An approver can apply for the abnormal refund here.")).toBeVisible();
    await expect(page.getByRole("form", { name: "Abnormal-refund application" })).toHaveCount(0);
    await viewer.close();
  });
});
