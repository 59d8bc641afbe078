import type { NextRequest } from "next/server";
import { parseOrderFilters } from "@/lib/db/queries/orders";
import { exportOrdersCsv } from "@/lib/exports/orders";
import { csvExportResponse } from "../csv-response";

/** The orders list as a CSV file: `/api/export/orders?<the list's query string>`. */
export function GET(request: NextRequest) {
  return csvExportResponse(request, {
    kind: "orders",
    parse: parseOrderFilters,
    stream: (db, merchantId, filters, t) =>
      exportOrdersCsv(db, merchantId, filters, {
        header: (column) => t(`exports.orders.columns.${column}`),
        state: (state) => t(`status.order.${state}`),
      }),
  });
}
