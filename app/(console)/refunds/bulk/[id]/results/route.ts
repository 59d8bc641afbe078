import { getLocale } from "next-intl/server";
import { NOT_FOUND, routeUser } from "@/app/_server/route-user";
import { allBatchRows, getBatch } from "@/lib/bulk/queries";
import { resultsCsv } from "@/lib/bulk/results-csv";
import { getDb } from "@/lib/db/client";

/** Every line of the batch with what became of it, in the reader's language. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await routeUser();
  if (user instanceof Response) return user;
  const raw = (await params).id;
  const db = getDb();
  const batch = /^[1-9]\d{0,15}$/.test(raw) ? await getBatch(db, user.merchantId, Number(raw)) : undefined;
  if (!batch) return NOT_FOUND();
  const csv = resultsCsv(await allBatchRows(db, user.merchantId, batch.batch.id), await getLocale());
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="bulk-${batch.batch.id}-results.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
