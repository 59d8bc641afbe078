"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import { RefundStatusBadge } from "@/components/status-badge";
import type { BatchProgress as Progress } from "@/lib/bulk/queries";
import type { RefundStatus } from "@/lib/db/schema";
import { BatchActionButton } from "./batch-actions";

function Stat({
  label,
  value,
  tone = "text-slate-900",
  testId,
}: {
  label: string;
  value: string | number;
  tone?: string;
  testId?: string;
}) {
  return (
    <div>
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className={`mt-0.5 text-lg font-semibold tabular-nums ${tone}`} data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

/**
 * The live part of a batch page: polls the batch's progress while it runs or its refunds settle, draws the bar and
 * the rates, and re-renders the server page (status, lines) whenever something changed.
 */
export function BatchProgress({
  batchId,
  initial,
  mayControl,
}: {
  batchId: number;
  initial: Progress;
  mayControl: boolean;
}) {
  const t = useTranslations("bulk.progress");
  const router = useRouter();
  const seen = useRef(initial.version);
  const { data = initial } = useQuery<Progress>({
    queryKey: ["bulk-progress", batchId, initial.version],
    queryFn: async () => {
      const response = await fetch(`/refunds/bulk/${batchId}/progress`, { cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    },
    initialData: initial,
    refetchInterval: (query) => (query.state.data?.active ? 1000 : false),
  });
  useEffect(() => {
    if (data.version !== seen.current) {
      seen.current = data.version;
      router.refresh();
    }
  }, [data, router]);

  const { counts } = data;
  const valid = counts.READY + counts.REQUESTED + counts.FAILED + counts.SKIPPED;
  const handled = valid - counts.READY;
  const percent = valid ? Math.floor((handled * 100) / valid) : 100;
  const share = (n: number) => `${valid ? (n * 100) / valid : 0}%`;
  const eta = data.etaSeconds;

  return (
    <section aria-labelledby="bulk-progress" className="mb-6 space-y-4 rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="bulk-progress" className="text-sm font-semibold text-slate-900">
          {t("label")}{" "}
          <span className="tabular-nums" data-testid="bulk-percent">
            {percent}%
          </span>
        </h2>
        {mayControl && (
          <div className="flex gap-2">
            {data.status === "RUNNING" && <BatchActionButton kind="pause" batchId={batchId} label={t("pause")} />}
            {data.status === "PAUSED" && (
              <BatchActionButton kind="resume" batchId={batchId} label={t("resume")} tone="primary" />
            )}
            {(data.status === "RUNNING" || data.status === "PAUSED") && (
              <BatchActionButton
                kind="cancel"
                batchId={batchId}
                label={t("cancel")}
                tone="danger"
                confirmText={t("cancelConfirm")}
              />
            )}
          </div>
        )}
      </div>
      <div
        role="progressbar"
        aria-label={t("label")}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        className="flex h-3 overflow-hidden rounded-full bg-slate-100"
      >
        <div className="bg-emerald-500 transition-all" style={{ width: share(counts.REQUESTED) }} />
        <div className="bg-red-500 transition-all" style={{ width: share(counts.FAILED) }} />
        <div className="bg-slate-400 transition-all" style={{ width: share(counts.SKIPPED) }} />
      </div>
      <dl className="grid grid-cols-2 gap-x-6 gap-y-3 sm:grid-cols-4 lg:grid-cols-7">
        <Stat label={t("requested")} value={counts.REQUESTED} tone="text-emerald-700" testId="bulk-requested" />
        <Stat
          label={t("failed")}
          value={counts.FAILED}
          tone={counts.FAILED ? "text-red-700" : undefined}
          testId="bulk-failed"
        />
        <Stat label={t("remaining")} value={counts.READY} testId="bulk-remaining" />
        <Stat label={t("skipped")} value={counts.SKIPPED} />
        <Stat label={t("rowsRate")} value={data.rowsPerSecond.toFixed(1)} />
        <Stat label={t("submissionsRate")} value={data.submissionsPerSecond.toFixed(1)} />
        <Stat
          label={t("eta")}
          value={eta === null ? t("none") : t("etaValue", { minutes: Math.floor(eta / 60), seconds: eta % 60 })}
        />
      </dl>
      {Object.keys(data.refunds).length > 0 && (
        <div className="flex flex-wrap items-center gap-2 text-sm text-slate-600">
          <span>{t("refunds")}</span>
          {(Object.entries(data.refunds) as [RefundStatus, number][]).map(([status, n]) => (
            <span key={status} className="inline-flex items-center gap-1">
              <RefundStatusBadge status={status} />
              <span className="tabular-nums">{n}</span>
            </span>
          ))}
        </div>
      )}
      {counts.READY === 0 && (data.status === "COMPLETED" || data.status === "CANCELLED") && (
        <p className="text-sm text-slate-600">{t("finished")}</p>
      )}
    </section>
  );
}
