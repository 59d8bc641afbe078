import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { DataTable, type Column } from "@/components/data-table";
import { Money } from "@/components/money";
import { PageHeader } from "@/components/page-header";
import { Badge } from "@/components/status-badge";
import { requireConsoleUser } from "@/app/_server/session";
import { getDb } from "@/lib/db/client";
import { listMerchantsForAdmin, type AdminMerchantRow } from "@/lib/merchants/merchants";
import { MerchantForm } from "./merchant-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin.merchants"))("title") };
}

const mono = (value: string | null) =>
  value ? <span className="font-mono text-xs">{value}</span> : <span className="text-slate-400">—</span>;

export default async function MerchantsPage() {
  await requireConsoleUser("manageMerchants");
  const [t, rows] = await Promise.all([getTranslations("admin.merchants"), listMerchantsForAdmin(getDb())]);
  const columns: Column<AdminMerchantRow>[] = [
    {
      header: t("displayName"),
      cell: ({ merchant: m }) => (
        <Link
          href={`/admin/merchants/${m.id}`}
          className="font-medium whitespace-nowrap text-brand-700 hover:underline"
        >
          {m.displayName}
        </Link>
      ),
    },
    { header: t("mchid"), cell: ({ merchant: m }) => mono(m.mchid) },
    { header: t("appid"), cell: ({ merchant: m }) => mono(m.appid) },
    {
      header: t("mode"),
      cell: ({ merchant: m }) => (
        <Badge
          tone={m.mode === "partner" ? "violet" : "slate"}
          label={m.mode === "partner" ? t("modePartner") : t("modeDirect")}
        />
      ),
    },
    { header: t("subMchid"), cell: ({ merchant: m }) => mono(m.subMchid) },
    {
      header: t("apiVersion"),
      cell: ({ merchant: m }) => <span className="text-xs font-medium uppercase">{m.apiVersion}</span>,
    },
    {
      header: t("credentialsRef"),
      cell: ({ merchant: m, activeVersion }) =>
        m.credentialsRef === "env" ? (
          t("credentialsEnv")
        ) : activeVersion === null ? (
          <Badge tone="amber" label={t("noActiveCredentials")} />
        ) : (
          t("activeVersion", { version: activeVersion })
        ),
    },
    {
      header: t("approvalThreshold"),
      align: "right",
      cell: ({ merchant: m }) => <Money fen={m.approvalThresholdFen} />,
    },
    {
      header: t("status"),
      cell: ({ merchant: m }) =>
        m.active ? <Badge tone="green" label={t("active")} /> : <Badge tone="slate" label={t("inactive")} />,
    },
  ];
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      <div className="mb-6">
        <DataTable columns={columns} rows={rows} rowKey={(r) => r.merchant.id} empty={t("empty")} />
      </div>
      <section aria-labelledby="new-merchant" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="new-merchant" className="mb-3 text-sm font-semibold text-slate-900">
          {t("addTitle")}
        </h2>
        <MerchantForm />
      </section>
    </>
  );
}
