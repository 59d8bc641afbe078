import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { createDatabase } from "../lib/db/client";
import { DEMO_MERCHANT } from "../lib/setup/demo-seed";
import { signedInAs } from "./session";
import { E2E_OTHER_MERCHANT, E2E_PASSWORD, E2E_USERS } from "./users";

/** The demo merchant's objects, looked up in the run's database: what the other merchant's operator tries to open. */
interface DemoObjects {
  orderId: number;
  outTradeNo: string;
  outRefundNo: string;
  batchId: number;
  billDayId: number;
  memberId: string;
  merchantId: string;
  webhookEndpointId: string;
}

async function demoObjects(): Promise<DemoObjects> {
  const { sql } = createDatabase(process.env.E2E_DATABASE_URL!, { max: 1 });
  try {
    const [demo] = await sql<{ id: string }[]>`select id from merchants where mchid = ${DEMO_MERCHANT.mchid}`;
    const merchantId = demo!.id;
    const [order] = await sql<{ id: string; out_trade_no: string }[]>`
      select id, out_trade_no from orders where merchant_id = ${merchantId} order by id limit 1`;
    const [refund] = await sql<{ out_refund_no: string }[]>`
      select out_refund_no from refunds where merchant_id = ${merchantId} order by id limit 1`;
    const [member] = await sql<{ id: string }[]>`select id from users where email = ${E2E_USERS.viewer.email}`;
    // A batch and a bill day of the demo merchant, made here so that their pages exist.
    const [batch] = await sql<{ id: string }[]>`
      insert into bulk_batches (merchant_id, file_name, total_rows, valid_rows, valid_amount_fen)
      values (${merchantId}, 'isolation.csv', 0, 0, 0) returning id`;
    const [day] = await sql<{ id: string }[]>`
      insert into bill_days (merchant_id, bill_date) values (${merchantId}, '2024-01-01')
      on conflict (merchant_id, bill_date) do update set bill_date = excluded.bill_date returning id`;
    const [endpoint] = await sql<{ id: string }[]>`
      insert into webhook_endpoints (merchant_id, url, events, secret)
      values (${merchantId}, 'https://shop.example.com/hooks', ${["refund.succeeded"]}, 'whsec_aXNvbGF0aW9u')
      returning id`;
    return {
      webhookEndpointId: endpoint!.id,
      orderId: Number(order!.id),
      outTradeNo: order!.out_trade_no,
      outRefundNo: refund!.out_refund_no,
      batchId: Number(batch!.id),
      billDayId: Number(day!.id),
      memberId: member!.id,
      merchantId,
    };
  } finally {
    await sql.end();
  }
}

/** Every page of the console, found on disk: `app/(console)/orders/[id]/page.tsx` → `/orders/[id]`. */
function consolePages(): string[] {
  const root = path.join(process.cwd(), "app");
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name === "page.tsx")
    .map((e) => path.relative(root, e.parentPath).split(path.sep))
    .map((parts) => `/${parts.filter((p) => !/^\(.*\)$/.test(p)).join("/")}`.replace(/\/$/, "") || "/")
    .sort();
}

type Expectation =
  { notFound: string } | { list: string; shows?: string } | { deniedOrRedirected: string } | { signedOutOnly: true };

/**
 * What the other merchant's operator gets on each page. Pages naming an object get the demo merchant's and answer 404
 * (not 403: nothing says the object exists); lists, dashboards and logs show none of the demo merchant's rows;
 * platform pages are refused. A page without an entry fails the spec.
 */
const PAGES: Record<string, (d: DemoObjects) => Expectation> = {
  "/": () => ({ list: "/" }),
  "/orders": () => ({ list: "/orders", shows: E2E_OTHER_MERCHANT.order.outTradeNo }),
  "/orders/[id]": (d) => ({ notFound: `/orders/${d.orderId}` }),
  "/orders/import": () => ({ deniedOrRedirected: "/orders/import" }),
  "/refunds": () => ({ list: "/refunds" }),
  "/refunds/[outRefundNo]": (d) => ({ notFound: `/refunds/${d.outRefundNo}` }),
  "/refunds/bulk": () => ({ list: "/refunds/bulk" }),
  "/refunds/bulk/[id]": (d) => ({ notFound: `/refunds/bulk/${d.batchId}` }),
  "/approvals": () => ({ list: "/approvals" }),
  "/reconciliation": () => ({ list: "/reconciliation" }),
  "/reconciliation/[id]": (d) => ({ notFound: `/reconciliation/${d.billDayId}` }),
  "/notifications": () => ({ list: "/notifications" }),
  "/audit": () => ({ list: "/audit" }),
  "/settings": () => ({ list: "/settings", shows: E2E_OTHER_MERCHANT.merchant.mchid }),
  "/admin": () => ({ deniedOrRedirected: "/admin" }),
  "/admin/users": () => ({ deniedOrRedirected: "/admin/users" }),
  "/admin/users/[id]": (d) => ({ deniedOrRedirected: `/admin/users/${d.memberId}` }),
  "/admin/api-keys": () => ({ deniedOrRedirected: "/admin/api-keys" }),
  "/admin/webhooks": () => ({ deniedOrRedirected: "/admin/webhooks" }),
  "/admin/webhooks/[id]": (d) => ({ deniedOrRedirected: `/admin/webhooks/${d.webhookEndpointId}` }),
  "/admin/merchants": () => ({ deniedOrRedirected: "/admin/merchants" }),
  "/admin/merchants/[id]": (d) => ({ deniedOrRedirected: `/admin/merchants/${d.merchantId}` }),
  "/admin/reasons": () => ({ deniedOrRedirected: "/admin/reasons" }),
  "/admin/alerts": () => ({ deniedOrRedirected: "/admin/alerts" }),
  "/jobs": () => ({ deniedOrRedirected: "/jobs" }),
  "/login": () => ({ signedOutOnly: true }),
};

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(E2E_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/orders$/);
}

test.describe("merchant isolation", () => {
  test("every page is known to this spec", () => {
    const pages = consolePages();
    expect(pages.filter((p) => !(p in PAGES))).toEqual([]);
    expect(Object.keys(PAGES).filter((p) => !pages.includes(p))).toEqual([]);
  });

  test("another merchant's operator finds none of the demo merchant's objects on any page", async ({ page }) => {
    const demo = await demoObjects();
    await signIn(page, E2E_OTHER_MERCHANT.user.email);
    await expect(page.getByTestId("current-merchant")).toHaveText(E2E_OTHER_MERCHANT.merchant.displayName);
    for (const [pattern, expectation] of Object.entries(PAGES)) {
      const expected = expectation(demo);
      if ("signedOutOnly" in expected) continue;
      if ("notFound" in expected) {
        const response = await page.goto(expected.notFound);
        expect(response!.status(), pattern).toBe(404);
        await expect(page.getByText(demo.outTradeNo)).toHaveCount(0);
      } else if ("list" in expected) {
        const response = await page.goto(expected.list);
        expect(response!.status(), pattern).toBe(200);
        const html = await page.content();
        expect(html, pattern).not.toContain(demo.outTradeNo);
        expect(html, pattern).not.toContain(demo.outRefundNo);
        expect(html, pattern).not.toContain(DEMO_MERCHANT.mchid);
        if (expected.shows) expect(html, pattern).toContain(expected.shows);
      } else {
        await page.goto(expected.deniedOrRedirected);
        await expect(page, pattern).toHaveURL(/\/orders\?denied=1$/);
      }
    }
    // The live poll and the downloads say the same.
    expect((await page.request.get(`/api/orders/${demo.orderId}/refund-status`)).status()).toBe(404);
    expect((await page.request.get(`/api/refunds/${demo.outRefundNo}/evidence`)).status()).toBe(404);
    const csv = await (await page.request.get(`/api/export/orders?q=${demo.outTradeNo}`)).text();
    expect(csv.trim().split("\n")).toHaveLength(1);
  });

  test.describe("a platform admin", () => {
    test.use(signedInAs("admin"));

    test("switches between merchants in the header, and each merchant's pages show its own orders", async ({
      page,
    }) => {
      await page.goto("/orders");
      const switcher = page.getByRole("combobox", { name: "Merchant" });
      await expect(switcher).toBeVisible();
      await expect(page.getByText(E2E_OTHER_MERCHANT.order.outTradeNo)).toHaveCount(0);
      await page.screenshot({ path: "test-results/merchant-switcher.png" });

      await switcher.selectOption({ label: E2E_OTHER_MERCHANT.merchant.displayName });
      await expect(page).toHaveURL(/\/$/);
      await page.goto("/orders");
      await expect(page.getByText(E2E_OTHER_MERCHANT.order.outTradeNo)).toBeVisible();
      const demo = await demoObjects();
      // Working in the other merchant, the demo merchant's order is not found either, platform admin or not.
      expect((await page.goto(`/orders/${demo.orderId}`))!.status()).toBe(404);

      await page.getByRole("combobox", { name: "Merchant" }).selectOption({ label: DEMO_MERCHANT.displayName });
      await expect(page).toHaveURL(/\/$/);
      expect((await page.goto(`/orders/${demo.orderId}`))!.status()).toBe(200);
    });
  });
});
