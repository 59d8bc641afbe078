import type { Metadata } from "next";
import { Check, Minus } from "lucide-react";
import { DataTable, type Column } from "@/components/data-table";
import { Detail, DetailList } from "@/components/detail-list";
import { Money } from "@/components/money";
import { PageHeader } from "@/components/page-header";
import { Badge } from "@/components/status-badge";
import { requirePageUser } from "@/app/_server/session";
import { can, PERMISSIONS, type Permission } from "@/lib/auth/roles";
import { getDb } from "@/lib/db/client";
import { listMerchants, type MerchantRow } from "@/lib/db/queries/merchants";

export const metadata: Metadata = { title: "Settings" };

// Exhaustive over PERMISSIONS, so a new capability cannot appear here without a description.
const PERMISSION_LABELS: Record<Permission, string> = {
  read: "See orders, refunds, callbacks and the audit log",
  requestRefund: "Request refunds",
  bulkRefund: "Upload and run bulk refunds",
  approveRefund: "Approve or reject refunds above a merchant's approval threshold",
  applyAbnormalRefund: "Apply an abnormal refund to a bank card or the merchant's account",
  resolveReconciliation: "Resolve differences with WeChat Pay's refund bill",
  manageUsers: "Manage users and their roles",
  manageApiKeys: "Create and revoke merchant API keys",
  manageMerchants: "Manage merchants and their WeChat Pay keys",
  manageSettings: "Edit refund reasons and approval thresholds",
  reapplyNotification: "Re-apply a stored WeChat Pay callback",
};

const CREDENTIAL_SOURCES: Record<string, string | undefined> = {
  env: "Environment (WECHATPAY_*)",
  simulator: "Bundled simulator",
};

const dash = <span className="text-slate-400">—</span>;
const mono = (value: string | null) => (value ? <span className="font-mono text-xs">{value}</span> : dash);

const MERCHANT_COLUMNS: Column<MerchantRow>[] = [
  { header: "Merchant", cell: (m) => <span className="font-medium">{m.displayName}</span> },
  { header: "mchid", cell: (m) => mono(m.mchid) },
  { header: "appid", cell: (m) => mono(m.appid) },
  { header: "Mode", cell: (m) => <Badge tone={m.mode === "partner" ? "violet" : "slate"} label={m.mode === "partner" ? "Partner (服务商)" : "Direct"} /> },
  { header: "sub_mchid", cell: (m) => mono(m.subMchid) },
  { header: "sub_appid", cell: (m) => mono(m.subAppid) },
  { header: "API", cell: (m) => <span className="text-xs font-medium uppercase">{m.apiVersion}</span> },
  { header: "Credentials", cell: (m) => CREDENTIAL_SOURCES[m.credentialsRef] ?? mono(m.credentialsRef) },
  { header: "Approval above", align: "right", cell: (m) => <Money fen={m.approvalThresholdFen} /> },
];

export default async function SettingsPage() {
  const user = await requirePageUser();
  const merchants = await listMerchants(getDb());
  const permissions = Object.entries(PERMISSIONS) as [Permission, (typeof PERMISSIONS)[Permission]][];

  return (
    <>
      <PageHeader title="Settings" subtitle="Your account and the merchants this console refunds for. Read-only." />
      <section aria-labelledby="profile" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="profile" className="mb-3 text-sm font-semibold text-slate-900">
          Your profile
        </h2>
        <DetailList className="mb-4">
          <Detail label="Name">{user.name}</Detail>
          <Detail label="Email">{user.email}</Detail>
          <Detail label="Role">
            <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-700 uppercase">{user.role}</span>
          </Detail>
        </DetailList>
        <h3 className="mb-2 text-xs font-semibold tracking-wide text-slate-500 uppercase">What your role may do</h3>
        <ul className="divide-y divide-slate-100 text-sm">
          {permissions.map(([permission, needs]) => {
            const allowed = can(user.role, permission);
            return (
              <li key={permission} className="flex items-center gap-2 py-1.5">
                {allowed ? (
                  <Check className="h-4 w-4 text-emerald-600" aria-label="Allowed" />
                ) : (
                  <Minus className="h-4 w-4 text-slate-300" aria-label="Not allowed" />
                )}
                <span className={allowed ? "text-slate-900" : "text-slate-400"}>{PERMISSION_LABELS[permission]}</span>
                <span className="ml-auto text-xs text-slate-400">needs {needs}</span>
              </li>
            );
          })}
        </ul>
      </section>

      <section aria-labelledby="merchants">
        <h2 id="merchants" className="mb-1 text-sm font-semibold text-slate-900">
          Merchants
        </h2>
        <p className="mb-3 text-sm text-slate-500">
          Refunds above a merchant&apos;s approval threshold wait for an approver. Keys, certificates and the APIv3 key are never
          shown here; only where they are loaded from.
        </p>
        <DataTable columns={MERCHANT_COLUMNS} rows={merchants} rowKey={(m) => m.id} empty="No merchants are configured yet." />
      </section>
    </>
  );
}
