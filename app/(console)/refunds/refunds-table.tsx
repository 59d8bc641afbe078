"use client";

import Link from "next/link";
import { DataTable, type Column } from "@/components/data-table";
import { BeijingTime, type TimeFormat } from "@/components/date-time";
import { Badge, REFUND_STATUS_TONES } from "@/components/status-badge";
import type { RefundStatus } from "@/lib/db/schema";
import { formatFen } from "@/lib/money";

/** Why a refund needs a person: the same three cases as the "Needs attention" tab. */
export type AttentionReason = "abnormal" | "unknown" | "retrying";

/** What a row of the refunds list shows: the page sends these, not rendered rows (see `RefundsTable`). */
export interface RefundRow {
  id: number;
  createdAt: Date;
  outRefundNo: string;
  orderId: number;
  outTradeNo: string;
  amountFen: number;
  status: RefundStatus;
  /** Absent when the refund needs nobody; the page leaves out empty fields (`presentFields`). */
  attention?: AttentionReason;
  requesterName?: string;
  requesterEmail?: string;
  lastErrorCode?: string;
}

/** The list's words and formats, resolved once by the page for every row. */
export interface RefundsTableText {
  headers: Record<"createdAt" | "outRefundNo" | "order" | "amount" | "status" | "requestedBy" | "lastError", string>;
  statuses: Record<RefundStatus, string>;
  attention: Record<AttentionReason, string>;
  empty: string;
  time: TimeFormat;
}

function columns(text: RefundsTableText): Column<RefundRow>[] {
  const { headers } = text;
  return [
    { header: headers.createdAt, cell: (r) => <BeijingTime value={r.createdAt} format={text.time} /> },
    {
      header: headers.outRefundNo,
      cell: (r) => (
        <Link href={`/refunds/${encodeURIComponent(r.outRefundNo)}`} className="link-id">
          {r.outRefundNo}
        </Link>
      ),
    },
    {
      header: headers.order,
      cell: (r) => (
        <Link href={`/orders/${r.orderId}`} className="link-ref">
          {r.outTradeNo}
        </Link>
      ),
    },
    { header: headers.amount, align: "right", cell: (r) => formatFen(r.amountFen) },
    {
      header: headers.status,
      cell: (r) => {
        const badge = <Badge tone={REFUND_STATUS_TONES[r.status]} label={text.statuses[r.status]} />;
        if (!r.attention) return badge;
        return (
          <span className="flex items-center gap-1.5">
            {badge}
            <span className="attention-flag">{text.attention[r.attention]}</span>
          </span>
        );
      },
    },
    {
      header: headers.requestedBy,
      cell: (r) =>
        r.requesterName ? <span title={r.requesterEmail}>{r.requesterName}</span> : <span className="muted">—</span>,
    },
    {
      header: headers.lastError,
      cell: (r) =>
        r.lastErrorCode ? <span className="error-code">{r.lastErrorCode}</span> : <span className="muted">—</span>,
    },
  ];
}

/**
 * The refunds list, rendered from row data in this client component so that React sends each row to the browser
 * once, as data, not again as server-rendered markup (see `OrdersTable`). Rows that need a person are tinted and
 * flagged, by classes of app/globals.css: an attention list is all such rows.
 */
export function RefundsTable({ rows, text }: { rows: RefundRow[]; text: RefundsTableText }) {
  return (
    <DataTable
      columns={columns(text)}
      rows={rows}
      rowKey={(r) => r.id}
      rowClassName={(r) => (r.attention ? "attention" : undefined)}
      empty={text.empty}
    />
  );
}
