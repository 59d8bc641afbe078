import type { Messages } from "./messages";

/**
 * The messages client components read, by the part of the console that renders them. Only these go to the browser:
 * next-intl's provider would otherwise send every message of the language with every page (30 KB of a list page's
 * 80 KB before any row). Server components translate on the server and send only the text they show.
 * `i18n/client-messages.test.ts` checks every client component's namespaces against this table.
 */
export const CLIENT_NAMESPACES = {
  /** The console's frame, on every page: language, merchant switcher, sign-out, live refresh, times. */
  everywhere: ["common", "components.liveRefresh", "components.dateTime"],
  // The rest by route folder under app/(console) (a layout there gives them; the deepest folder's list applies).
  admin: ["admin", "webhooks", "alerts", "reasons"],
  orders: ["orders.lookup", "status"],
  "orders/[id]": ["orders.form", "status"],
  "orders/import": ["orders.import"],
  refunds: ["status"],
  "refunds/[outRefundNo]": ["refunds.retry", "refunds.abnormal", "status"],
  "refunds/bulk": ["bulk", "status"],
  approvals: ["approvals.decision"],
  reconciliation: ["reconciliation"],
  notifications: ["notifications", "status", "components.abnormalRefundNote"],
  audit: ["audit"],
  /** The console's home page (its parts live in `_dashboard`). */
  dashboard: ["dashboard.charts", "status.refund"],
  login: ["login"],
} as const satisfies Record<string, readonly string[]>;

export type ClientArea = Exclude<keyof typeof CLIENT_NAMESPACES, "everywhere">;

/** The messages under the given dotted paths (`orders.form` is `messages.orders.form`), and nothing else. */
export function pickMessages(messages: Messages, paths: readonly string[]): Messages {
  const picked: Record<string, unknown> = {};
  for (const path of paths) {
    const parts = path.split(".");
    let from: unknown = messages;
    let into = picked;
    parts.forEach((part, i) => {
      from = (from as Record<string, unknown> | undefined)?.[part];
      if (from === undefined) throw new Error(`no messages under "${path}"`);
      if (i === parts.length - 1) into[part] = from;
      else into = (into[part] ??= {}) as Record<string, unknown>;
    });
  }
  return picked as Messages;
}

/** What the client components of `area` (and the frame around them) may read. */
export function clientMessages(messages: Messages, area: ClientArea | null): Messages {
  return pickMessages(messages, [...CLIENT_NAMESPACES.everywhere, ...(area ? CLIENT_NAMESPACES[area] : [])]);
}
