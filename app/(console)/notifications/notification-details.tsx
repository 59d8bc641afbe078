"use client";

import { useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import type { ReactNode } from "react";
import type { NotificationDetails } from "@/lib/db/queries/notifications";

function Block({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div>
      <h3 className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">{title}</h3>
      {children}
    </div>
  );
}

function Code({ children }: { children: string }) {
  return (
    <pre className="max-h-96 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs leading-relaxed break-all whitespace-pre-wrap text-slate-100">
      {children}
    </pre>
  );
}

/**
 * An opened row's evidence, fetched from `[id]/details` when the row is first opened (and kept while the page lives):
 * why it was refused, what it said once decrypted (masked for viewers by the server), its headers and raw body.
 */
export function NotificationEvidence({ id, rejectionCode }: { id: number; rejectionCode?: string }) {
  const t = useTranslations("notifications.details");
  const format = useFormatter();
  const { data, isError, refetch } = useQuery<NotificationDetails>({
    queryKey: ["notification-details", id],
    queryFn: async () => {
      const response = await fetch(`/notifications/${id}/details`, { cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    },
    staleTime: Infinity,
  });
  if (isError)
    return (
      <p role="alert" className="text-sm text-red-700 lg:col-span-2">
        {t("loadFailed")}{" "}
        <button type="button" className="font-medium underline" onClick={() => void refetch()}>
          {t("retry")}
        </button>
      </p>
    );
  if (!data)
    return (
      <p role="status" className="text-sm text-slate-500 lg:col-span-2">
        {t("loading")}
      </p>
    );
  const headers = Object.entries(data.headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join("\n");
  return (
    <>
      {data.rejectionReason && (
        <div className="lg:col-span-2">
          <Block title={t("rejectionReason")}>
            <p className="text-sm text-red-700">
              {rejectionCode && <span className="mr-2 font-mono text-xs">{rejectionCode}</span>}
              {data.rejectionReason}
            </p>
          </Block>
        </div>
      )}
      <Block title={t("decrypted")}>
        {data.decrypted ? (
          <Code>{JSON.stringify(data.decrypted, null, 2)}</Code>
        ) : (
          <p className="text-sm text-slate-500">{t("notDecrypted")}</p>
        )}
      </Block>
      <Block title={t("headers")}>
        <Code>{headers || t("noHeaders")}</Code>
      </Block>
      <div className="lg:col-span-2">
        <Block title={t("rawBody")}>
          <Code>{data.rawBodyPreview}</Code>
          {data.rawBodyCutAtBytes !== null && (
            <p className="mt-1 text-xs text-slate-500">
              {t("truncated", { kib: data.rawBodyCutAtBytes / 1024, bytes: format.number(data.rawBodyBytes) })}
            </p>
          )}
        </Block>
      </div>
    </>
  );
}
