import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import Link from "next/link";
import { DataTable, type Column } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import { PageHeader } from "@/components/page-header";
import { requirePageUser } from "@/app/_server/session";
import { getDb } from "@/lib/db/client";
import { listEndpoints, type EndpointSummary } from "@/lib/webhooks/endpoints";
import { CreateEndpointForm } from "./endpoint-forms";
import { EndpointStatusBadge } from "./status-badges";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("webhooks"))("title") };
}

export default async function WebhooksPage() {
  const user = await requirePageUser("manageApiKeys");
  const [t, endpoints] = await Promise.all([getTranslations("webhooks"), listEndpoints(getDb(), user.merchantId)]);
  const columns: Column<EndpointSummary>[] = [
    {
      header: t("url"),
      cell: (e) => (
        <Link href={`/admin/webhooks/${e.id}`} className="font-mono text-xs text-brand-700 hover:underline">
          {e.url}
        </Link>
      ),
    },
    { header: t("description"), cell: (e) => e.description },
    { header: t("events"), cell: (e) => <span className="font-mono text-xs">{e.events.join(", ")}</span> },
    { header: t("status"), cell: (e) => <EndpointStatusBadge status={e.status} /> },
    { header: t("created"), cell: (e) => <DateTime value={e.createdAt} /> },
  ];
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      <section aria-labelledby="new-endpoint" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="new-endpoint" className="mb-3 text-sm font-semibold text-slate-900">
          {t("createTitle")}
        </h2>
        <CreateEndpointForm />
      </section>
      <DataTable columns={columns} rows={endpoints} rowKey={(e) => e.id} empty={t("empty")} />
    </>
  );
}
