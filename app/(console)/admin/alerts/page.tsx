import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { DataTable, type Column } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import { PageHeader } from "@/components/page-header";
import { Badge } from "@/components/status-badge";
import { requireConsoleUser } from "@/app/_server/session";
import { listChannels, recentMessages, type ChannelSummary } from "@/lib/alerts/channels";
import { getDb } from "@/lib/db/client";
import { ChannelControls, CreateChannelForm } from "./channel-forms";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("alerts"))("title") };
}

type Message = Awaited<ReturnType<typeof recentMessages>>[number];

/** Where operators are alerted (group robots), and what was sent lately. Platform admins only. */
export default async function AlertsPage() {
  await requireConsoleUser("manageSettings");
  const db = getDb();
  const [t, channels, messages] = await Promise.all([getTranslations("alerts"), listChannels(db), recentMessages(db)]);
  const channelColumns: Column<ChannelSummary>[] = [
    { header: t("name"), cell: (c) => <span className="font-medium">{c.name}</span> },
    { header: t("kind"), cell: (c) => t(`kinds.${c.kind}`) },
    { header: t("url"), cell: (c) => <span className="font-mono text-xs break-all">{c.url}</span> },
    { header: t("signed"), cell: (c) => (c.signed ? t("yes") : t("no")) },
    {
      header: t("status"),
      cell: (c) =>
        c.enabled ? <Badge tone="green" label={t("enabled")} /> : <Badge tone="slate" label={t("disabled")} />,
    },
    { header: "", cell: (c) => <ChannelControls id={c.id} enabled={c.enabled} /> },
  ];
  const messageColumns: Column<Message>[] = [
    { header: t("sentAt"), cell: (m) => <DateTime value={m.sentAt} /> },
    { header: t("channel"), cell: (m) => m.channelName },
    { header: t("alertKind"), cell: (m) => (t.has(`alertKinds.${m.kind}`) ? t(`alertKinds.${m.kind}`) : m.kind) },
    { header: t("items"), cell: (m) => m.itemCount, align: "right" },
    {
      header: t("result"),
      cell: (m) => <span className="font-mono text-xs">{[m.responseStatus, m.error].filter(Boolean).join(" · ")}</span>,
    },
  ];
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      <section aria-labelledby="new-channel" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="new-channel" className="mb-3 text-sm font-semibold text-slate-900">
          {t("createTitle")}
        </h2>
        <CreateChannelForm />
      </section>
      <div className="mb-6">
        <DataTable columns={channelColumns} rows={channels} rowKey={(c) => c.id} empty={t("empty")} />
      </div>
      <h2 className="mb-2 text-sm font-semibold text-slate-900">{t("messages")}</h2>
      <DataTable columns={messageColumns} rows={messages} rowKey={(m) => m.id} empty={t("noMessages")} />
    </>
  );
}
