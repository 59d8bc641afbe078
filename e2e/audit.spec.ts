import { expect, test } from "@playwright/test";
import { signedInAs } from "./session";
import { E2E_PASSWORD, E2E_USERS } from "./users";

test.describe("audit log", () => {
  test.use(signedInAs("admin"));

  test("lists a sign-in and a failed sign-in with the IP, and the filters narrow the list", async ({
    page,
    browser,
  }) => {
    // Someone signs in, in a browser of their own; someone else mistypes an email.
    const other = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const login = await other.newPage();
    await login.goto("/login");
    await login.getByLabel("Email").fill("nobody-here@e2e.test");
    await login.getByLabel("Password").fill("wrong");
    await login.getByRole("button", { name: "Sign in" }).click();
    await expect(login.getByRole("alert").filter({ hasText: "Sign-in failed" })).toBeVisible();
    await login.getByLabel("Email").fill(E2E_USERS.approver.email);
    await login.getByLabel("Password").fill(E2E_PASSWORD);
    await login.getByRole("button", { name: "Sign in" }).click();
    await expect(login).toHaveURL(/\/orders$/);
    await other.close();

    await page.goto("/audit");
    await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
    const rows = page.locator("tbody tr");

    await page.getByLabel("Actor").fill("approver@e2e");
    await page.getByLabel("Action").selectOption({ label: "Signed in" });
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/actor=approver%40e2e&action=auth.sign_in/);
    const signIn = rows.first();
    await expect(signIn).toContainText("Signed in");
    await expect(signIn).toContainText(E2E_USERS.approver.name);
    await expect(signIn).toContainText(E2E_USERS.approver.email);
    // The sign-in's own row: its target is the user, linked to the user admin page; the IP is the browser's.
    await expect(signIn.getByRole("link", { name: E2E_USERS.approver.email })).toHaveAttribute("href", "/admin/users");
    await expect(signIn.locator("td").nth(4)).toHaveText(/^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:.]*:[0-9a-f:.]+)$/i);
    for (const text of await rows.allTextContents()) expect(text).toContain("Signed in");

    // Only today (Beijing time) keeps it; a day long past leaves nothing.
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
    await page.goto(`/audit?actor=approver%40e2e&action=auth.sign_in&from=${today}&to=${today}`);
    await expect(rows.first()).toContainText("Signed in");
    await page.getByLabel("Date from").fill("2020-01-01");
    await page.getByLabel("Date to").fill("2020-01-31");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText("No audit entries match these filters.");

    // The mistyped email: a failed sign-in, its reason in words.
    await page.goto("/audit");
    await page.getByLabel("Actor").fill("nobody-here@e2e.test");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText("Sign-in failed");
    await expect(rows.first()).toContainText("No account has this email");

    // The target filter finds entries about one user.
    await page.goto("/audit");
    await page.getByLabel("Target").fill(E2E_USERS.approver.email);
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(rows.first()).toContainText(E2E_USERS.approver.email);
    for (const text of await rows.allTextContents()) expect(text).toContain(E2E_USERS.approver.email);
  });
});
