"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Re-renders the page every two seconds while a backfill runs, so its progress moves; stops when none does. */
export function RefreshWhileRunning({ running }: { running: boolean }) {
  const router = useRouter();
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => router.refresh(), 2000);
    return () => clearInterval(timer);
  }, [running, router]);
  return null;
}
