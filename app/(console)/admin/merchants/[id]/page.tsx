import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { notFound } from "next/navigation";
import { z } from "zod";
import { DataTable, type Column } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import { PageHeader } from "@/components/page-header";
import { Badge, type BadgeTone } from "@/components/status-badge";
import { requireConsoleUser } from "@/app/_server/session";
import { getDb } from "@/lib/db/client";
import type { CredentialStatus } from "@/lib/db/schema";
import { listCredentials, type CredentialSummary } from "@/lib/merchants/credentials";
import { getMerchant } from "@/lib/merchants/merchants";
import { fenToYuan } from "@/lib/money";
import { MerchantForm } from "../merchant-form";
import { CredentialActions } from "./credential-actions";
import { CredentialUploadForm } from "./credential-upload-form";
import { TestConnection } from "./test-connection";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin.merchants"))("title") };
}

const STATUS_TONE: Record<CredentialStatus, BadgeTone> = { active: "green", standby: "blue", retired: "slate" };

export default async function MerchantPage({ params }: { params: Promise<{ id: string }> }) {
  await requireConsoleUser("manageMerchants");
  const { id } = await params;
  const db = getDb();
  const merchant = z.uuid().safeParse(id).success ? await getMerchant(db, id) : undefined;
  if (!merchant) notFound();
  const [t, tConnection, versions] = await Promise.all([
    getTranslations("admin.credentials"),
    getTranslations("admin.connection"),
    listCredentials(db, merchant.id),
  ]);

  const columns: Column<CredentialSummary>[] = [
    { header: t("version"), cell: (c) => <span className="font-medium tabular-nums">v{c.version}</span> },
    { header: t("status"), cell: (c) => <Badge tone={STATUS_TONE[c.status]} label={t(`statuses.${c.status}`)} /> },
    {
      header: t("merchantSerialNo"),
      cell: (c) => (c.merchantSerialNo ? <span className="font-mono text-xs">{c.merchantSerialNo}</span> : "—"),
    },
    {
      header: t("verification"),
      cell: (c) =>
        c.publicKeyId ? (
          <span className="font-mono text-xs">{c.publicKeyId}</span>
        ) : c.hasPublicKey ? (
          "—"
        ) : (
          t("platformCertificates")
        ),
    },
    {
      header: t("fingerprints"),
      cell: (c) => (
        <ul className="space-y-0.5 text-xs" data-testid={`fingerprints-v${c.version}`}>
          {Object.entries(c.fingerprints).map(([part, print]) => (
            <li key={part}>
              <span className="text-slate-500">{t.has(`parts.${part}`) ? t(`parts.${part}`) : part}</span>{" "}
              <span className="font-mono">{print}</span>
            </li>
          ))}
        </ul>
      ),
    },
    { header: t("created"), cell: (c) => <DateTime value={c.createdAt} /> },
    { header: t("activated"), cell: (c) => <DateTime value={c.activatedAt} /> },
    { header: t("retired"), cell: (c) => <DateTime value={c.retiredAt} /> },
    {
      header: "",
      cell: (c) => (c.status === "standby" ? <CredentialActions merchantId={merchant.id} version={c.version} /> : null),
    },
  ];

  return (
    <>
      <PageHeader
        title={merchant.displayName}
        subtitle={`${merchant.mchid}${merchant.subMchid ? ` / ${merchant.subMchid}` : ""}`}
      />
      <section className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
        <MerchantForm
          values={{
            id: merchant.id,
            displayName: merchant.displayName,
            mchid: merchant.mchid,
            appid: merchant.appid,
            mode: merchant.mode,
            subMchid: merchant.subMchid ?? "",
            subAppid: merchant.subAppid ?? "",
            apiVersion: merchant.apiVersion,
            credentialsRef: merchant.credentialsRef,
            platformCertificates: merchant.platformCertificates,
            approvalThreshold: fenToYuan(merchant.approvalThresholdFen),
            active: merchant.active,
          }}
        />
      </section>

      <section aria-labelledby="connection" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="connection" className="mb-2 text-sm font-semibold text-slate-900">
          {tConnection("title")}
        </h2>
        <TestConnection merchantId={merchant.id} />
      </section>

      <section aria-labelledby="credentials" className="mb-6">
        <h2 id="credentials" className="mb-1 text-sm font-semibold text-slate-900">
          {t("title")}
        </h2>
        <p className="mb-3 text-sm text-slate-500">
          {merchant.credentialsRef === "env" ? t("envNote") : t("rotationNote")}
        </p>
        <DataTable columns={columns} rows={versions} rowKey={(c) => c.id} empty={t("empty")} />
      </section>

      <section aria-labelledby="upload" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="upload" className="mb-1 text-sm font-semibold text-slate-900">
          {t("uploadTitle")}
        </h2>
        <p className="mb-3 text-sm text-slate-500">{t("uploadNote")}</p>
        <CredentialUploadForm merchantId={merchant.id} apiVersion={merchant.apiVersion} />
      </section>
    </>
  );
}
