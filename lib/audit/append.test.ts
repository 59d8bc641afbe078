import { describe, expect, it } from "vitest";
import { loadMessages } from "@/i18n/messages";
import { LOCALES } from "../locale";
import type { AuditAction, AuditTargetType } from "./append";

const labelOf = (tree: unknown, dotted: string) =>
  dotted.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], tree);

// The compiler is the check: `appendAudit` takes only actions and target types the audit log has a label for.
// @ts-expect-error an action without a label does not compile
const unlabelledAction: AuditAction = "refund.vanished";
// @ts-expect-error nor does a target type without one
const unlabelledTarget: AuditTargetType = "orders_csv";

describe("audited actions and target types", () => {
  const actions: AuditAction[] = ["refund.requested", "export.orders", "export.refunds", "alert_channel.disabled"];
  const targets: AuditTargetType[] = ["refund", "orders", "refunds", "webhook_endpoint"];

  it.each(LOCALES)("are labelled in %s as the audit log looks them up", (locale) => {
    const { audit } = loadMessages(locale) as { audit: Record<string, unknown> };
    expect(actions.filter((a) => typeof labelOf(audit.actions, a) !== "string")).toEqual([]);
    expect(targets.filter((t) => typeof labelOf(audit.targets, t) !== "string")).toEqual([]);
    expect([unlabelledAction, unlabelledTarget].map((code) => labelOf(audit.actions, code))).toEqual([
      undefined,
      undefined,
    ]);
  });
});
