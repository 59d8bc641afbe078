import Link from "next/link";
import { useTranslations } from "next-intl";
import { useCodeLabel } from "@/components/use-code-label";
import { formatAuditValue, splitAuditDetails } from "@/lib/audit/details";
import type { AuditListRow } from "@/lib/db/queries/audit";

const dash = <span className="text-slate-400">—</span>;

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
};

export function AuditActor({ e }: { e: AuditListRow }) {
  const t = useTranslations("audit");
  if (e.actorLabel === "system" && !e.actorName) return <span className="text-slate-600">{t("system")}</span>;
  return (
    <span className="flex flex-col leading-tight">
      {e.actorName && <span className="whitespace-nowrap text-slate-900">{e.actorName}</span>}
      <span className={`text-xs break-all ${e.actorName ? "text-slate-500" : "text-slate-900"}`}>{e.actorLabel}</span>
    </span>
  );
}

export function AuditTarget({ e }: { e: AuditListRow }) {
  const typeLabel = useCodeLabel("audit.targets");
  if (!e.targetType) return dash;
  const id = e.targetId ?? "";
  // A user's email says more than its UUID.
  const shown = e.targetType === "user" && e.targetUserEmail ? e.targetUserEmail : id;
  const href = id ? TARGET_HREF[e.targetType]?.(id) : undefined;
  return (
    <span className="flex flex-col leading-tight">
      <span className="text-xs text-slate-500">{typeLabel(e.targetType)}</span>
      {href ? (
        <Link href={href} className="font-mono text-xs break-all text-brand-700 hover:underline">
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
export function AuditDetails({ e }: { e: AuditListRow }) {
  const t = useTranslations("audit");
  const fieldLabel = useCodeLabel("audit.fields");
  if (e.action === "auth.sign_in_failed") return <SignInFailure details={e.details} />;
  const { changes, other } = splitAuditDetails(e.details);
  if (changes.length === 0 && other.length === 0) return dash;
  return (
    <div className="max-w-md space-y-1 text-xs">
      {changes.length > 0 && (
        <table className="w-full" aria-label={t("changes")}>
          <tbody>
            {changes.map((c) => (
              <tr key={c.field} className="align-top">
                <td className="pr-2 whitespace-nowrap text-slate-500">{c.field && fieldLabel(c.field)}</td>
                <td className="pr-1">
                  <del title={t("before")} className="rounded bg-red-50 px-1 break-all text-red-800 decoration-red-400">
                    {formatAuditValue(c.field, c.before)}
                  </del>
                </td>
                <td className="pr-1 text-slate-400" aria-hidden>
                  →
                </td>
                <td>
                  <ins
                    title={t("after")}
                    className="rounded bg-emerald-50 px-1 break-all text-emerald-800 no-underline"
                  >
                    {formatAuditValue(c.field, c.after)}
                  </ins>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {other.length > 0 && (
        <dl className="grid grid-cols-[auto_1fr] gap-x-2">
          {other.map(([field, value]) => (
            <div key={field} className="contents">
              <dt className="whitespace-nowrap text-slate-500">{fieldLabel(field)}</dt>
              <dd className="font-mono break-all text-slate-800">{formatAuditValue(field, value)}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
