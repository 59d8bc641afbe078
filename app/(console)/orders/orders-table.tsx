"use client";

import Link from "next/link";
import { DataTable, type Column } from "@/components/data-table";
import { BeijingTime, type TimeFormat } from "@/components/date-time";
import { Badge, ORDER_STATE_TONES } from "@/components/status-badge";
import type { OrderRefundState } from "@/lib/db/queries/orders";
import { formatFen } from "@/lib/money";

/** What a row of the orders list shows: the page sends these, not rendered rows (see `OrdersTable`). */
export interface OrderRow {
  id: number;
  paidAt: Date | null;
  outTradeNo: string;
  description: string | null;
  totalFen: number;
  refundedFen: number;
  remainingFen: number;
  refundCount: number;
  state: OrderRefundState;
}

/** The list's words and formats, resolved once by the page for every row. */
export interface OrdersTableText {
  headers: Record<
    "paidAt" | "outTradeNo" | "description" | "total" | "refunded" | "remaining" | "refundCount" | "state",
    string
  >;
  states: Record<OrderRefundState, string>;
  empty: string;
  time: TimeFormat;
  /** At most this many refunds per order (WeChat's rule): shown as `n / cap`. */
  refundCap: number;
}

function columns(text: OrdersTableText): Column<OrderRow>[] {
  const { headers } = text;
  return [
    { header: headers.paidAt, cell: (o) => <BeijingTime value={o.paidAt} format={text.time} /> },
    {
      header: headers.outTradeNo,
      cell: (o) => (
        <Link href={`/orders/${o.id}`} className="link-id">
          {o.outTradeNo}
        </Link>
      ),
    },
    {
      header: headers.description,
      cell: (o) => <span className="line-clamp-1 max-w-64 text-slate-600">{o.description}</span>,
    },
    { header: headers.total, align: "right", cell: (o) => formatFen(o.totalFen) },
    {
      header: headers.refunded,
      align: "right",
      cell: (o) => (o.refundedFen ? formatFen(o.refundedFen) : <span className="muted">{formatFen(0)}</span>),
    },
    { header: headers.remaining, align: "right", className: "font-medium", cell: (o) => formatFen(o.remainingFen) },
    {
      header: headers.refundCount,
      align: "right",
      className: "text-slate-600",
      cell: (o) => `${o.refundCount} / ${text.refundCap}`,
    },
    { header: headers.state, cell: (o) => <Badge tone={ORDER_STATE_TONES[o.state]} label={text.states[o.state]} /> },
  ];
}

/**
 * The orders list, rendered from row data in this client component: React then sends each row to the browser once,
 * as its data, instead of a second time as server-rendered markup (a 50-row page weighed 107 KB that way; see
 * docs/benchmarks.md, lists). The HTML is still rendered on the server.
 */
export function OrdersTable({ rows, text }: { rows: OrderRow[]; text: OrdersTableText }) {
  return <DataTable columns={columns(text)} rows={rows} rowKey={(o) => o.id} empty={text.empty} />;
}
