import { expect, test as setup } from "@playwright/test";
import { E2E_PASSWORD, E2E_USERS } from "./users";

/** Sign in once per role and keep the session, so each test starts as the person it is about. */
for (const [role, user] of Object.entries(E2E_USERS)) {
  setup(`sign in as ${role}`, async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(E2E_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/orders$/);
    await page.context().storageState({ path: `e2e/.auth/${role}.json` });
  });
}
