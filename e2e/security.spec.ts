import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { hashPassword } from "../lib/auth/password";
import { SIGN_IN_LIMITS } from "../lib/auth/throttle";
import { createDatabase } from "../lib/db/client";
import { users } from "../lib/db/schema";
import { signedInAs } from "./session";
import { E2E_PASSWORD, E2E_USERS } from "./users";

/** CSP violations and script errors show up in the console; a page that works under its CSP has none. */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(e.message));
  return problems;
}

function nonceOf(csp: string | undefined): string | undefined {
  return /'nonce-([^']+)'/.exec(csp ?? "")?.[1];
}

test.describe("security headers", () => {
  test("the login page runs under a nonce CSP, is not frameable, and signs in", async ({ page }) => {
    const problems = watchConsole(page);
    const first = await page.goto("/login");
    const headers = first!.headers();
    expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["content-security-policy"]).not.toContain("'unsafe-inline' 'nonce");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["referrer-policy"]).toBe("same-origin");
    expect(headers["permissions-policy"]).toContain("camera=()");
    // Next put the nonce on its inline scripts, and every script carries it.
    const nonce = nonceOf(headers["content-security-policy"]);
    const scripts = await page.locator("script").evaluateAll((all) => all.map((s) => (s as HTMLScriptElement).nonce));
    expect(scripts.length).toBeGreaterThan(0);
    expect(new Set(scripts)).toEqual(new Set([nonce]));
    // A fresh nonce for each response.
    const second = await page.request.get("/login");
    expect(nonceOf(second.headers()["content-security-policy"])).not.toBe(nonce);

    // Hydrated: the form signs in (client-side), which it could not if the CSP blocked Next's scripts.
    await page.getByLabel("Email").fill(E2E_USERS.viewer.email);
    await page.getByLabel("Password").fill(E2E_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/orders$/);
    expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);

    const session = (await page.context().cookies()).find((c) => c.name.endsWith("next-auth.session-token"));
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  });

  test.describe("signed in", () => {
    test.use(signedInAs("admin"));

    test("console pages work under the CSP and nothing logs a violation", async ({ page }) => {
      const problems = watchConsole(page);
      for (const url of ["/orders", "/refunds", "/notifications", "/audit", "/jobs", "/settings"]) {
        const response = await page.goto(url);
        expect(response!.status(), url).toBeLessThan(400);
        expect(response!.headers()["content-security-policy"], url).toContain("'strict-dynamic'");
        await page.waitForLoadState("load");
      }
      // A client-side interaction after all that navigation: the language switcher or a link still responds.
      await page.goto("/orders");
      await page
        .getByRole("link", { name: /refunds/i })
        .first()
        .click();
      await expect(page).toHaveURL(/\/refunds/);
      expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
    });
  });

  test("API answers may run nothing and are never framed", async ({ request }) => {
    for (const url of ["/api/health", "/api/v1/refunds/R1"]) {
      const response = await request.get(url);
      expect(response.headers()["content-security-policy"], url).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(response.headers()["x-content-type-options"]).toBe("nosniff");
    }
  });
});

test.describe("secrets", () => {
  /** Every secret the running console holds: the simulator merchant's keys, AUTH_SECRET, the e2e password. */
  function secrets(): string[] {
    const found = [E2E_PASSWORD, "e2e-auth-secret-at-least-32-characters-long"];
    for (const dir of fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith("refund-console-e2e-"))) {
      const merchantFile = path.join(os.tmpdir(), dir, "simulator", "merchant.json");
      if (!fs.existsSync(merchantFile)) continue;
      const merchant = JSON.parse(fs.readFileSync(merchantFile, "utf8")) as Record<string, unknown>;
      for (const value of Object.values(merchant))
        if (typeof value === "string" && value.length === 32) found.push(value);
      const key = fs.readFileSync(path.join(os.tmpdir(), dir, "simulator", "merchant_private_key.pem"), "utf8");
      found.push(key.split("\n")[2]!);
    }
    return found;
  }

  test("no secret is in the browser bundle, the pages or the API's answers", async ({ browser, request }) => {
    const known = secrets();
    expect(known.length).toBeGreaterThan(2);
    const context = await browser.newContext(signedInAs("admin"));
    const page = await context.newPage();
    const bodies: string[] = [];
    page.on("response", async (r) => {
      if (/\.(js|css)$|text\/html|json/.test(r.url() + (r.headers()["content-type"] ?? "")))
        bodies.push(await r.text().catch(() => ""));
    });
    for (const url of ["/orders", "/refunds", "/notifications", "/settings", "/jobs", "/no-such-page"]) {
      await page.goto(url);
      await page.waitForLoadState("load");
    }
    bodies.push(
      await (await request.get("/api/v1/refunds/R1", { headers: { Authorization: "Bearer rk_live_wrong" } })).text(),
    );
    // Everything the browser was ever sent, on disk: the static chunks of the build.
    const staticDir = path.join(process.cwd(), ".next", "static");
    for (const file of fs.readdirSync(staticDir, { recursive: true, withFileTypes: true })) {
      if (file.isFile() && file.name.endsWith(".js"))
        bodies.push(fs.readFileSync(path.join(file.parentPath, file.name), "utf8"));
    }
    const everything = bodies.join("\n");
    expect(everything.length).toBeGreaterThan(100_000);
    expect(known.filter((s) => everything.includes(s))).toEqual([]);
    expect(everything).not.toContain("PRIVATE KEY-----");
    await context.close();
  });
});

test.describe("login throttling", () => {
  test("locks an account after repeated failures, even against the right password", async ({ page }) => {
    const { db, sql } = createDatabase(process.env.E2E_DATABASE_URL!, { max: 1 });
    const email = `lockout-${Date.now()}@e2e.test`;
    await db.insert(users).values({ email, name: "Lockout", passwordHash: await hashPassword(E2E_PASSWORD) });
    await sql.end();
    await page.goto("/login");
    for (let i = 0; i < 5; i++) {
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(`wrong-${i}`);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByRole("alert").first()).toBeVisible();
    }
    await page.getByLabel("Password").fill(E2E_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").first()).toBeVisible();
    await expect(page).toHaveURL(/\/login/);
  });
  test("throttles an address spraying passwords: past the limit even a right password is refused, until the minute ends", async ({
    page,
  }) => {
    // Every browser test signs in from this machine's address, so the test waits for the throttle to lift before it ends.
    test.setTimeout(150_000);
    const signIn = async (email: string, password: string) => {
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(password);
      // Each attempt is answered before the next is typed: the form's alert alone may still show the previous one.
      const answered = page.waitForResponse((r) => r.url().includes("/api/auth/callback/credentials"));
      await page.getByRole("button", { name: "Sign in" }).click();
      await answered;
    };
    // The counters are per calendar minute: start early in one, so every failure lands in the same minute.
    const second = new Date().getSeconds();
    if (second > 30) await page.waitForTimeout((61 - second) * 1000);
    await page.goto("/login");
    const spray = Date.now();
    for (let i = 0; i < SIGN_IN_LIMITS.failuresPerAddress; i++) {
      await signIn(`spray-${spray}-${i}@e2e.test`, `guess-${i}`);
      await expect(page.getByRole("alert").first()).toBeVisible();
    }
    // A real account with its right password, from the throttled address: refused without a look at the password.
    await signIn(E2E_USERS.operator.email, E2E_PASSWORD);
    await expect(page.getByRole("alert").first()).toBeVisible();
    await expect(page).toHaveURL(/\/login/);
    // The next minute the address starts afresh and the same sign-in goes through.
    await page.waitForTimeout((61 - new Date().getSeconds()) * 1000);
    await page.goto("/login");
    await signIn(E2E_USERS.operator.email, E2E_PASSWORD);
    await expect(page).not.toHaveURL(/\/login/);
  });
});
