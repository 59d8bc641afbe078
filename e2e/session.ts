import { expect, type Page } from "@playwright/test";
import type { UserRole } from "../lib/db/schema";

/** Storage state saved by auth.setup.ts for a role. */
export const signedInAs = (role: UserRole) => ({ storageState: `e2e/.auth/${role}.json` });

/**
 * A user's language is saved on their account in the shared e2e database: a spec that switches to Chinese puts
 * English back afterwards (in `afterEach`, so a failure does not leave every later spec in Chinese).
 */
export async function restoreEnglish(page: Page): Promise<void> {
  await page.goto("/orders");
  const english = page.getByRole("button", { name: "English" });
  if ((await english.getAttribute("aria-pressed")) !== "true") {
    await english.click();
    await expect(english).toHaveAttribute("aria-pressed", "true");
  }
}
