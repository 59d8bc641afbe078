import { getLocale } from "next-intl/server";
import { currentUser } from "@/app/_server/session";
import { allBatchRows, getBatch } from "@/lib/bulk/queries";
import { resultsCsv } from "@/lib/bulk/results-csv";
import { getDb } from "@/lib/db/client";

/** Every line of the batch with what became of it, in the reader's language. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  if (!(await currentUser())) return Response.json({ code: "UNAUTHENTICATED" }, { status: 401 });
  const raw = (await params).id;
  const db = getDb();
  const batch = /^[1-9]\d{0,15}$/.test(raw) ? await getBatch(db, Number(raw)) : undefined;
  if (!batch) return Response.json({ code: "NOT_FOUND" }, { status: 404 });
  const csv = resultsCsv(await allBatchRows(db, batch.batch.id), await getLocale());
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="bulk-${batch.batch.id}-results.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
