"use client";

import { DataTable, type Column, type PresentFields } from "@/components/data-table";
import { BeijingTime, type TimeFormat } from "@/components/date-time";
import { useCodeLabel } from "@/components/use-code-label";
import type { AuditListRow } from "@/lib/db/queries/audit";
import { AuditActor, AuditDetails, AuditTarget } from "./audit-cells";

/** An entry as the page sends it: its fields, empty ones left out (`presentFields`). */
export type AuditRow = PresentFields<AuditListRow>;

export interface AuditTableText {
  headers: Record<"at" | "actor" | "action" | "target" | "ip" | "details", string>;
  empty: string;
  time: TimeFormat;
}

/**
 * The audit log, rendered from its entries' data in this client component: React sends each entry once, as data, not
 * again as server-rendered markup (ADR 022); the details' styles are `.audit-details` in app/globals.css.
 */
export function AuditTable({ rows, text }: { rows: AuditRow[]; text: AuditTableText }) {
  const actionLabel = useCodeLabel("audit.actions");
  const { headers } = text;
  const columns: Column<AuditRow>[] = [
    { header: headers.at, cell: (e) => <BeijingTime value={e.at} format={text.time} /> },
    { header: headers.actor, cell: (e) => <AuditActor e={e} /> },
    {
      header: headers.action,
      cell: (e) => (
        <span
          title={e.action}
          className={
            e.action === "auth.sign_in_failed" ? "whitespace-nowrap font-medium text-red-700" : "whitespace-nowrap"
          }
        >
          {actionLabel(e.action)}
        </span>
      ),
    },
    { header: headers.target, cell: (e) => <AuditTarget e={e} /> },
    {
      header: headers.ip,
      cell: (e) => (e.ip ? <span className="font-mono text-xs">{e.ip}</span> : <span className="muted">—</span>),
    },
    { header: headers.details, cell: (e) => <AuditDetails e={e} /> },
  ];
  return <DataTable columns={columns} rows={rows} rowKey={(e) => e.id} empty={text.empty} />;
}
