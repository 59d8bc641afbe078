import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DataTable, type Column } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import { Detail, DetailList } from "@/components/detail-list";
import { PageHeader } from "@/components/page-header";
import { requirePageUser } from "@/app/_server/session";
import { getDb } from "@/lib/db/client";
import { findEndpoint } from "@/lib/webhooks/endpoints";
import { listAttempts, listDeliveries } from "@/lib/webhooks/log";
import { EndpointControls, ResendButton } from "../endpoint-forms";
import { DeliveryStatusBadge, EndpointStatusBadge } from "../status-badges";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("webhooks"))("title") };
}

type Delivery = Awaited<ReturnType<typeof listDeliveries>>[number];
type Attempt = Awaited<ReturnType<typeof listAttempts>>[number];

const answer = (status: number | null, error: string | null) =>
  [status, error && error !== `HTTP_${status}` ? error : null].filter((x) => x !== null).join(" · ") || "—";

/** One endpoint: its settings, its deliveries (with resend) and the log of every attempt. */
export default async function WebhookEndpointPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser("manageApiKeys");
  const db = getDb();
  const endpoint = await findEndpoint(db, user.merchantId, (await params).id);
  if (!endpoint) notFound();
  const [t, deliveries, attempts] = await Promise.all([
    getTranslations("webhooks"),
    listDeliveries(db, endpoint.id),
    listAttempts(db, endpoint.id),
  ]);
  const deliveryColumns: Column<Delivery>[] = [
    { header: t("event"), cell: (d) => <span className="font-mono text-xs">{d.type}</span> },
    { header: t("webhookId"), cell: (d) => <span className="font-mono text-xs">{d.messageId}</span> },
    { header: t("status"), cell: (d) => <DeliveryStatusBadge status={d.status} /> },
    { header: t("attempts"), cell: (d) => d.attempts, align: "right" },
    {
      header: t("lastResponse"),
      cell: (d) => (
        <span className="font-mono text-xs">
          {answer(d.lastStatus, d.lastError)}
          {d.lastDurationMs !== null ? ` · ${d.lastDurationMs} ms` : ""}
        </span>
      ),
    },
    { header: t("nextAttempt"), cell: (d) => (d.status === "pending" ? <DateTime value={d.nextAttemptAt} /> : null) },
    { header: t("created"), cell: (d) => <DateTime value={d.createdAt} /> },
    { header: "", cell: (d) => <ResendButton deliveryId={d.id} messageId={d.messageId} /> },
  ];
  const attemptColumns: Column<Attempt>[] = [
    { header: t("at"), cell: (a) => <DateTime value={a.at} /> },
    { header: t("attempt"), cell: (a) => a.attempt, align: "right" },
    {
      header: t("response"),
      cell: (a) => <span className="font-mono text-xs">{answer(a.responseStatus, a.error)}</span>,
    },
    { header: t("duration"), cell: (a) => `${a.durationMs} ms`, align: "right" },
    {
      header: t("excerpt"),
      cell: (a) => <span className="font-mono text-xs break-all">{a.responseExcerpt?.slice(0, 200)}</span>,
    },
    {
      header: t("request"),
      cell: (a) => (
        <details className="max-w-md text-xs">
          <summary className="cursor-pointer text-brand-700">{a.requestHeaders["webhook-id"]}</summary>
          <pre className="mt-1 overflow-x-auto rounded bg-slate-50 p-2 whitespace-pre-wrap break-all">
            {`POST ${a.url}\n${Object.entries(a.requestHeaders)
              .map(([k, v]) => `${k}: ${v}`)
              .join("\n")}\n\n${a.requestBody}`}
          </pre>
        </details>
      ),
    },
  ];
  return (
    <>
      <PageHeader
        title={endpoint.description || t("title")}
        subtitle={t("detailSubtitle", { url: endpoint.url })}
        actions={
          <Link href="/admin/webhooks" className="text-sm text-brand-700 hover:underline">
            {t("back")}
          </Link>
        }
      />
      <section className="mb-6 space-y-4 rounded-lg border border-slate-200 bg-white p-4">
        <DetailList>
          <Detail label={t("url")}>
            <span className="font-mono text-xs break-all">{endpoint.url}</span>
          </Detail>
          <Detail label={t("events")}>
            <span className="font-mono text-xs">{endpoint.events.join(", ")}</span>
          </Detail>
          <Detail label={t("status")}>
            <EndpointStatusBadge status={endpoint.status} />
          </Detail>
          {endpoint.failingSince && (
            <Detail label={t("failingSince")}>
              <DateTime value={endpoint.failingSince} />
            </Detail>
          )}
          {endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > new Date() && (
            <Detail label={t("previousSecretUntil")}>
              <DateTime value={endpoint.previousSecretExpiresAt} />
            </Detail>
          )}
          <Detail label={t("created")}>
            <DateTime value={endpoint.createdAt} />
          </Detail>
        </DetailList>
        <EndpointControls id={endpoint.id} status={endpoint.status} />
      </section>
      <h2 className="mb-2 text-sm font-semibold text-slate-900">{t("deliveries")}</h2>
      <div className="mb-6">
        <DataTable columns={deliveryColumns} rows={deliveries} rowKey={(d) => d.id} empty={t("noDeliveries")} />
      </div>
      <h2 className="mb-2 text-sm font-semibold text-slate-900">{t("log")}</h2>
      <DataTable columns={attemptColumns} rows={attempts} rowKey={(a) => a.id} empty={t("noLog")} />
    </>
  );
}
