import { describe, expect, it } from "vitest";
import { PERMISSIONS } from "@/lib/auth/roles";
import { NOTIFICATION_OUTCOMES } from "@/lib/db/queries/notifications";
import { ORDER_REFUND_STATES } from "@/lib/db/queries/orders";
import { eventSource, refundStatus, verificationResult } from "@/lib/db/schema";
import { LOCALES } from "@/lib/locale";
import { loadMessages } from "./messages";

/** Codes the pages label through `t(\`<group>.${code}\`)`: each must have its text, or the page shows a raw key. */
const LABELLED: [string, readonly string[]][] = [
  ["status.refund", refundStatus.enumValues],
  ["status.order", ORDER_REFUND_STATES],
  ["status.source", eventSource.enumValues],
  ["settings.permissions", Object.keys(PERMISSIONS)],
  ["notifications.outcomes", NOTIFICATION_OUTCOMES],
  ["notifications.verification", verificationResult.enumValues],
];

describe("labels for codes", () => {
  it.each(LOCALES.flatMap((locale) => LABELLED.map(([group, codes]) => [locale, group, codes] as const)))(
    "%s %s",
    (locale, group, codes) => {
      const node = group
        .split(".")
        .reduce<unknown>((n, part) => (n as Record<string, unknown> | undefined)?.[part], loadMessages(locale));
      expect(Object.keys(node as object).sort()).toEqual([...codes].sort());
    },
  );
});
