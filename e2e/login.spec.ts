import { expect, test } from "@playwright/test";
import { signedInAs } from "./session";
import { E2E_PASSWORD, E2E_USERS } from "./users";

test.describe("signed out", () => {
  test("a console page redirects to the login page and back after signing in", async ({ page }) => {
    await page.goto("/refunds?status=SUCCESS");
    await expect(page).toHaveURL(/\/login\?callbackUrl=/);
    await page.getByLabel("Email").fill(E2E_USERS.operator.email);
    await page.getByLabel("Password").fill(E2E_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/refunds\?status=SUCCESS$/);
    // Scripts cannot read the session, other sites' POSTs do not carry it; Secure only behind https (this is http).
    const session = (await page.context().cookies()).find((c) => c.name === "next-auth.session-token");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: false, path: "/" });
  });

  test("after signing in, a hostile callbackUrl never leads off the console", async ({ page, baseURL }) => {
    const hostile = [
      "https://evil.example/",
      "//evil.example/",
      "/\\evil.example/",
      "/%2F/evil.example/",
      "/%5Cevil.example/",
      "/\t/evil.example/",
      "/.//evil.example/",
      "javascript:alert(1)",
    ];
    for (const callbackUrl of hostile) {
      await page.context().clearCookies();
      await page.goto(`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
      await page.getByLabel("Email").fill(E2E_USERS.viewer.email);
      await page.getByLabel("Password").fill(E2E_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page, callbackUrl).toHaveURL(`${baseURL}/orders`);
    }
  });

  test("a wrong password shows one neutral error and signs nobody in", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill(E2E_USERS.viewer.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Sign-in failed" })).toBeVisible();
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/orders");
    await expect(page).toHaveURL(/\/login/);
  });

  test("a server action request without a session is refused", async ({ request }) => {
    const response = await request.post("/orders", {
      headers: { "Next-Action": "0".repeat(42), "Content-Type": "text/plain;charset=UTF-8" },
      data: "[]",
      maxRedirects: 0,
    });
    // The proxy turns it away before any action runs: a redirect to the login page, never a 2xx.
    expect(response.status()).toBe(307);
    expect(response.headers().location).toContain("/login");
  });
});

test.describe("signed in", () => {
  test.use(signedInAs("admin"));

  test("the orders page shows the seeded demo orders", async ({ page }) => {
    await page.goto("/orders");
    await expect(page.getByRole("heading", { name: "Orders" })).toBeVisible();
    await expect(page.getByTestId("current-user")).toContainText("Ada Admin");
    const rows = page.locator("tbody tr");
    await expect(rows).toHaveCount(50);
    await expect(rows.first()).toContainText(/DEMO\d+/);
    await expect(rows.first()).toContainText("¥");
    await expect(rows.first()).toContainText("/ 50");
    await page.getByRole("link", { name: "Next page →" }).click();
    await expect(page).toHaveURL(/after=/);
    await expect(rows.first()).toContainText(/DEMO\d+/);
  });

  test("search finds an order by its number", async ({ page }) => {
    await page.goto("/orders");
    const orderNo = (await page.locator("tbody tr").nth(3).locator("a").first().textContent())?.trim() ?? "";
    await page.getByLabel("Search").fill(orderNo);
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(new RegExp(`q=${orderNo}`));
    await expect(page.locator("tbody tr")).toHaveCount(1);
    await expect(page.locator("tbody tr").first()).toContainText(orderNo);
  });

  test("signing out ends the session", async ({ page }) => {
    await page.goto("/orders");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login/);
  });
});
