"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useCodeLabel } from "@/components/use-code-label";
import { formatAuditValue, splitAuditDetails } from "@/lib/audit/details";
import type { AuditRow } from "./audit-table";

const dash = <span className="muted">—</span>;

/** Where a target is looked at. A type without a page of its own is shown unlinked. */
const TARGET_HREF: Record<string, ((id: string) => string) | undefined> = {
  refund: (id) => `/refunds/${encodeURIComponent(id)}`,
  order: (id) => `/orders/${encodeURIComponent(id)}`,
  user: () => "/admin/users",
  merchant: () => "/admin/merchants",
  api_key: () => "/admin/api-keys",
  bulk_batch: (id) => `/refunds/bulk/${encodeURIComponent(id)}`,
  bill_day: (id) => `/reconciliation/${encodeURIComponent(id)}`,
  notification: () => "/notifications",
  // An export's target is the list it was taken from.
  orders: () => "/orders",
  refunds: () => "/refunds",
};

export function AuditActor({ e }: { e: AuditRow }) {
  const t = useTranslations("audit");
  if (e.actorLabel === "system" && !e.actorName) return <span className="text-slate-600">{t("system")}</span>;
  if (!e.actorName) return <span className="label">{e.actorLabel}</span>;
  return (
    <span className="two-lines">
      <span className="whitespace-nowrap">{e.actorName}</span>
      <span className="label secondary">{e.actorLabel}</span>
    </span>
  );
}

export function AuditTarget({ e }: { e: AuditRow }) {
  const typeLabel = useCodeLabel("audit.targets");
  if (!e.targetType) return dash;
  const id = e.targetId ?? "";
  // A user's email says more than its UUID.
  const shown = e.targetType === "user" && e.targetUserEmail ? e.targetUserEmail : id;
  const href = id ? TARGET_HREF[e.targetType]?.(id) : undefined;
  return (
    <span className="two-lines">
      <span className="label secondary">{typeLabel(e.targetType)}</span>
      {href ? (
        <Link href={href} className="link-id break-all">
          {shown}
        </Link>
      ) : (
        <span className="font-mono text-xs break-all">{shown}</span>
      )}
    </span>
  );
}

/** Why a sign-in failed, in words; `locked` says the failure just locked the account. */
function SignInFailure({ details }: { details: Record<string, unknown> }) {
  const t = useTranslations("audit.signIn");
  const reason = typeof details.reason === "string" ? details.reason : "";
  return (
    <span className="text-xs text-red-700">
      {t.has(reason) ? t(reason) : reason}
      {details.locked === true && <span className="ml-2 font-medium">{t("lockedNow")}</span>}
    </span>
  );
}

/** What changed (before → after, one line per field) and the entry's other details. */
export function AuditDetails({ e }: { e: AuditRow }) {
  const t = useTranslations("audit");
  const fieldLabel = useCodeLabel("audit.fields");
  if (e.action === "auth.sign_in_failed") return <SignInFailure details={e.details} />;
  const { changes, other } = splitAuditDetails(e.details);
  if (changes.length === 0 && other.length === 0) return dash;
  return (
    <div className="audit-details">
      {changes.length > 0 && (
        // Struck out what was, green what became: said once for the table rather than on every value.
        <table aria-label={t("changes")} title={`${t("before")} → ${t("after")}`}>
          <tbody>
            {changes.map((c) => (
              <tr key={c.field}>
                <th scope="row">{c.field && fieldLabel(c.field)}</th>
                {/* A value set where there was none (a refund requested, a key created): only what it became. */}
                {c.before === undefined ? (
                  <td colSpan={3}>
                    <ins>{formatAuditValue(c.field, c.after)}</ins>
                  </td>
                ) : (
                  <>
                    <td>
                      <del>{formatAuditValue(c.field, c.before)}</del>
                    </td>
                    <td aria-hidden>→</td>
                    <td>
                      <ins>{formatAuditValue(c.field, c.after)}</ins>
                    </td>
                  </>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {other.length > 0 && (
        <dl>
          {other.map(([field, value]) => (
            <div key={field}>
              <dt>{fieldLabel(field)}</dt>
              <dd>{formatAuditValue(field, value)}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
