import { expect, test, type Browser, type Page } from "@playwright/test";
import { signedInAs } from "./session";

const NEW_USER = { name: "Nina Newhire", email: `nina-${Date.now()}@e2e.test`, password: "nina-password-not-secret" };

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A browser of the new user's own: without the admin's saved session that `test.use` gives every context. */
async function signedOutPage(browser: Browser): Promise<Page> {
  return (await browser.newContext({ storageState: { cookies: [], origins: [] } })).newPage();
}

test.describe("admin", () => {
  test.use(signedInAs("admin"));

  test("creates a user, changes the role, resets the password, disables them; each ends or changes their session", async ({
    page,
    browser,
  }) => {
    await page.goto("/admin");
    await expect(page).toHaveURL(/\/admin\/users$/);
    await expect(
      page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Users" }),
    ).toHaveAttribute("aria-current", "page");

    await page.getByLabel("Name").fill(NEW_USER.name);
    await page.getByLabel("Email").fill(NEW_USER.email);
    await page.getByLabel("Role").selectOption("operator");
    await page.getByLabel("Initial password").fill(NEW_USER.password);
    await page.getByRole("button", { name: "Add user" }).click();
    await expect(page.getByRole("status")).toContainText(`${NEW_USER.email} can now sign in`);
    const row = page.locator("tbody tr").filter({ hasText: NEW_USER.email });
    await expect(row).toContainText("Operator");
    await expect(row).toContainText("Enabled");

    // The new user signs in in a browser of their own.
    const theirs = await signedOutPage(browser);
    await signIn(theirs, NEW_USER.email, NEW_USER.password);
    await expect(theirs).toHaveURL(/\/orders$/);
    await expect(theirs.getByTestId("current-user")).toContainText(NEW_USER.name);

    await row.getByRole("link", { name: NEW_USER.name }).click();
    await expect(page.getByRole("heading", { name: NEW_USER.name })).toBeVisible();
    await page.getByLabel("Role").selectOption("approver");
    await page.getByRole("button", { name: "Change role" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
    await expect(page.locator("dl")).toContainText("Approver");
    // A role change takes effect on the user's next request.
    await theirs.reload();
    await expect(theirs.getByTestId("current-user")).toContainText("Approver");

    // A password reset ends the sessions opened with the old password; the new one signs in.
    const newPassword = "nina-new-password-not-secret";
    await page.getByLabel("New password").fill(newPassword);
    await page.getByRole("button", { name: "Reset password" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Password changed" })).toBeVisible();
    await theirs.reload();
    await expect(theirs).toHaveURL(/\/login/);
    await signIn(theirs, NEW_USER.email, newPassword);
    await expect(theirs).toHaveURL(/\/orders$/);

    await page.getByRole("button", { name: "Disable user" }).click();
    await expect(page.getByRole("button", { name: "Enable user" })).toBeVisible();
    await expect(page.locator("dl")).toContainText("Disabled");

    // The open session stops at once, and signing in again is refused.
    await theirs.reload();
    await expect(theirs).toHaveURL(/\/login/);
    await signIn(theirs, NEW_USER.email, newPassword);
    await expect(theirs.getByRole("alert").filter({ hasText: "Sign-in failed" })).toBeVisible();
    await expect(theirs).toHaveURL(/\/login/);

    await page.goto("/admin/users");
    await expect(page.locator("tbody tr").filter({ hasText: NEW_USER.email })).toContainText("Disabled");
  });

  test("refuses to demote the last admin", async ({ page }) => {
    await page.goto("/admin/users");
    await page.locator("tbody tr").filter({ hasText: "admin@e2e.test" }).getByRole("link").click();
    await expect(page.getByRole("heading", { name: "Ada Admin" })).toBeVisible();
    await page.getByLabel("Role").selectOption("viewer");
    await page.getByRole("button", { name: "Change role" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "last enabled admin" })).toBeVisible();
    await page.reload();
    await expect(page.locator("dl")).toContainText("Admin");
  });

  test("creates an API key for the current merchant, shown once, then revokes it", async ({ page }) => {
    await page.goto("/admin/api-keys");
    // The key is the merchant's the admin works in; the form says which.
    await expect(page.locator("form").first()).toContainText("Demo Coffee");
    await page.getByLabel("Name").fill("E2E shop back end");
    await page.getByRole("button", { name: "Create key" }).click();
    const shown = page.getByTestId("shown-once");
    await expect(shown).toHaveText(/^rk_live_[0-9A-Za-z]{32}$/);
    const row = page.locator("tbody tr").filter({ hasText: "E2E shop back end" });
    await expect(row).toContainText(((await shown.textContent()) ?? "").slice(0, 12));
    page.once("dialog", (dialog) => void dialog.accept());
    await row.getByRole("button", { name: "Revoke E2E shop back end" }).click();
    await expect(row).toContainText("Revoked");
  });

  test("refuses a credential upload that does not fit with field errors, storing nothing", async ({ page }) => {
    await page.goto("/admin/merchants");
    // Only the demo merchant's page is used: other browser tests rely on it being the only merchant.
    await page.getByRole("link", { name: "Demo Coffee 演示咖啡" }).click();
    await expect(page.getByText("This merchant uses the server's WECHATPAY_* variables.")).toBeVisible();
    await page.getByLabel("Certificate serial number").fill("not-hex");
    await page.getByLabel("APIv3 key").fill("too short");
    await page.getByRole("button", { name: "Upload as standby" }).click();
    await expect(page.getByText("The certificate serial number is 8 to 64 hexadecimal digits.")).toBeVisible();
    await expect(page.getByText("The APIv3 key is exactly 32 bytes.")).toBeVisible();
    await expect(page.getByText("No keys uploaded yet.")).toBeVisible();
    // What was typed stays for correcting.
    await expect(page.getByLabel("Certificate serial number")).toHaveValue("not-hex");
  });
});
