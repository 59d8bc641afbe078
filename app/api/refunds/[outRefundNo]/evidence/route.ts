import { NOT_FOUND, routeUser } from "@/app/_server/route-user";
import { getDb } from "@/lib/db/client";
import { loadEvidenceTrail } from "@/lib/evidence/trail";
import { parseOutRefundNoParam } from "@/lib/refunds/out-refund-no-param";

/**
 * The refund's evidence trail as a JSON file: the same merged, redacted timeline as the refund page, for a dispute
 * or an auditor. Checks the session itself (route handlers are not behind the console layout).
 */
export async function GET(_request: Request, { params }: { params: Promise<{ outRefundNo: string }> }) {
  const user = await routeUser();
  if (user instanceof Response) return user;
  const outRefundNo = parseOutRefundNoParam((await params).outRefundNo);
  const trail = outRefundNo ? await loadEvidenceTrail(getDb(), user.merchantId, outRefundNo) : null;
  if (!trail) return NOT_FOUND();
  // The number may hold `|`, `*` and `@`, none of which belongs in a file name.
  const fileName = `refund-evidence-${trail.refund.outRefundNo.replace(/[^0-9A-Za-z_-]/g, "_")}.json`;
  return new Response(`${JSON.stringify({ ...trail, exportedBy: user.email }, null, 2)}\n`, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Cache-Control": "no-store",
    },
  });
}
