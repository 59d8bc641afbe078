import type { NextRequest } from "next/server";
import { parseRefundFilters } from "@/lib/db/queries/refunds";
import { exportRefundsCsv } from "@/lib/exports/refunds";
import { csvExportResponse } from "../csv-response";

/** The refunds list as a CSV file: `/api/export/refunds?<the list's query string>`. */
export function GET(request: NextRequest) {
  return csvExportResponse(request, {
    kind: "refunds",
    parse: parseRefundFilters,
    stream: (db, merchantId, filters, t) =>
      exportRefundsCsv(db, merchantId, filters, {
        header: (column) => t(`exports.refunds.columns.${column}`),
        status: (status) => t(`status.refund.${status}`),
        origin: (origin) => t(`exports.refunds.origins.${origin}`),
      }),
  });
}
