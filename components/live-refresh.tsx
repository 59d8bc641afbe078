"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";

interface Snapshot {
  version: string;
  active: boolean;
}

/**
 * Keeps a server-rendered page live while something on it is in flight: polls a small version endpoint and
 * re-renders the page when the version changes. Polling stops once nothing is in flight.
 */
export function LiveRefresh({
  url,
  initial,
  intervalMs = 2000,
}: {
  url: string;
  initial: Snapshot;
  intervalMs?: number;
}) {
  const t = useTranslations("components.liveRefresh");
  const router = useRouter();
  const seen = useRef(initial.version);
  const { data } = useQuery<Snapshot>({
    // Keyed by the version the server rendered, so each fresh render seeds a fresh query (and its polling state).
    queryKey: ["live", url, initial.version],
    queryFn: async () => {
      const response = await fetch(url, { cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    },
    initialData: initial,
    refetchInterval: (query) => (query.state.data?.active ? intervalMs : false),
  });
  useEffect(() => {
    if (data && data.version !== seen.current) {
      seen.current = data.version;
      router.refresh();
    }
  }, [data, router]);
  return (
    <span className="text-xs text-slate-500" aria-live="polite">
      {data?.active ? t("live") : ""}
    </span>
  );
}
