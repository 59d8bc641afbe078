import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { DataTable, type Column } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import { PageHeader } from "@/components/page-header";
import { Badge } from "@/components/status-badge";
import { currentMerchant, requirePageUser } from "@/app/_server/session";
import { listApiKeys } from "@/lib/api-keys/keys";
import { getDb } from "@/lib/db/client";
import { CreateApiKeyForm, RevokeApiKeyButton } from "./api-key-forms";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin.apiKeys"))("title") };
}

type Row = Awaited<ReturnType<typeof listApiKeys>>[number];

export default async function ApiKeysPage() {
  const user = await requirePageUser("manageApiKeys");
  const [t, keys] = await Promise.all([getTranslations("admin.apiKeys"), listApiKeys(getDb(), user.merchantId)]);
  const columns: Column<Row>[] = [
    { header: t("name"), cell: (k) => <span className="font-medium">{k.name}</span> },
    { header: t("prefix"), cell: (k) => <span className="font-mono text-xs">{k.prefix}…</span> },
    { header: t("created"), cell: (k) => <DateTime value={k.createdAt} /> },
    { header: t("lastUsed"), cell: (k) => <DateTime value={k.lastUsedAt} /> },
    {
      header: t("status"),
      cell: (k) =>
        k.revokedAt ? <Badge tone="slate" label={t("revoked")} /> : <Badge tone="green" label={t("active")} />,
    },
    { header: t("revokedAt"), cell: (k) => <DateTime value={k.revokedAt} /> },
    { header: "", cell: (k) => (k.revokedAt ? null : <RevokeApiKeyButton id={k.id} name={k.name} />) },
  ];
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      <section aria-labelledby="new-key" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="new-key" className="mb-3 text-sm font-semibold text-slate-900">
          {t("createTitle")}
        </h2>
        <CreateApiKeyForm merchant={currentMerchant(user)} />
      </section>
      <DataTable columns={columns} rows={keys} rowKey={(k) => k.id} empty={t("empty")} />
    </>
  );
}
