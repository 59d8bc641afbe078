import type { Metadata } from "next";
import { Check, Minus } from "lucide-react";
import { getTranslations } from "next-intl/server";
import { DataTable, type Column } from "@/components/data-table";
import { Detail, DetailList } from "@/components/detail-list";
import { Money } from "@/components/money";
import { PageHeader } from "@/components/page-header";
import { Badge } from "@/components/status-badge";
import { requirePageUser } from "@/app/_server/session";
import { can, PERMISSIONS, type Permission } from "@/lib/auth/roles";
import { getDb } from "@/lib/db/client";
import { listMerchants, type MerchantRow } from "@/lib/db/queries/merchants";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("settings");
  return { title: t("title") };
}

const dash = <span className="text-slate-400">—</span>;
const mono = (value: string | null) => (value ? <span className="font-mono text-xs">{value}</span> : dash);

export default async function SettingsPage() {
  const user = await requirePageUser();
  const [t, common] = await Promise.all([getTranslations("settings"), getTranslations("common")]);
  const merchants = await listMerchants(
    getDb(),
    user.merchants.map((m) => m.id),
  );
  // Every permission has its description in the messages (settings.permissions.<permission>); the key test keeps both languages complete.
  const permissions = Object.entries(PERMISSIONS) as [Permission, (typeof PERMISSIONS)[Permission]][];
  // A credentials reference other than the known sources is shown as it is stored.
  const credentials = (ref: string) =>
    t.has(`merchants.credentialSources.${ref}`) ? t(`merchants.credentialSources.${ref}`) : mono(ref);

  const merchantColumns: Column<MerchantRow>[] = [
    { header: t("merchants.columns.merchant"), cell: (m) => <span className="font-medium">{m.displayName}</span> },
    { header: t("merchants.columns.mchid"), cell: (m) => mono(m.mchid) },
    { header: t("merchants.columns.appid"), cell: (m) => mono(m.appid) },
    {
      header: t("merchants.columns.mode"),
      cell: (m) => (
        <Badge
          tone={m.mode === "partner" ? "violet" : "slate"}
          label={t(m.mode === "partner" ? "merchants.modes.partner" : "merchants.modes.direct")}
        />
      ),
    },
    { header: t("merchants.columns.subMchid"), cell: (m) => mono(m.subMchid) },
    { header: t("merchants.columns.subAppid"), cell: (m) => mono(m.subAppid) },
    {
      header: t("merchants.columns.api"),
      cell: (m) => <span className="text-xs font-medium uppercase">{m.apiVersion}</span>,
    },
    { header: t("merchants.columns.credentials"), cell: (m) => credentials(m.credentialsRef) },
    {
      header: t("merchants.columns.approvalAbove"),
      align: "right",
      cell: (m) => <Money fen={m.approvalThresholdFen} />,
    },
  ];

  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      <section aria-labelledby="profile" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="profile" className="mb-3 text-sm font-semibold text-slate-900">
          {t("profile.title")}
        </h2>
        <DetailList className="mb-4">
          <Detail label={t("profile.name")}>{user.name}</Detail>
          <Detail label={t("profile.email")}>{user.email}</Detail>
          <Detail label={t("profile.role")}>
            <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-700">
              {common(`roles.${user.role}`)}
            </span>
          </Detail>
        </DetailList>
        <h3 className="mb-2 text-xs font-semibold tracking-wide text-slate-500 uppercase">
          {t("profile.permissions")}
        </h3>
        <ul className="divide-y divide-slate-100 text-sm">
          {permissions.map(([permission, needs]) => {
            const allowed = can(user.role, permission);
            return (
              <li key={permission} className="flex items-center gap-2 py-1.5">
                {allowed ? (
                  <Check className="h-4 w-4 text-emerald-600" aria-label={t("profile.allowed")} />
                ) : (
                  <Minus className="h-4 w-4 text-slate-300" aria-label={t("profile.notAllowed")} />
                )}
                <span className={allowed ? "text-slate-900" : "text-slate-400"}>{t(`permissions.${permission}`)}</span>
                <span className="ml-auto text-xs text-slate-400">
                  {t("profile.needs", { role: common(`roles.${needs}`) })}
                </span>
              </li>
            );
          })}
        </ul>
      </section>

      <section aria-labelledby="merchants">
        <h2 id="merchants" className="mb-1 text-sm font-semibold text-slate-900">
          {t("merchants.title")}
        </h2>
        <p className="mb-3 text-sm text-slate-500">{t("merchants.intro")}</p>
        <DataTable columns={merchantColumns} rows={merchants} rowKey={(m) => m.id} empty={t("merchants.empty")} />
      </section>
    </>
  );
}
