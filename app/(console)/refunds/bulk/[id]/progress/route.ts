import { currentUser } from "@/app/_server/session";
import { batchProgress } from "@/lib/bulk/queries";
import { getDb } from "@/lib/db/client";

/** The batch page polls this while the batch runs or its refunds settle. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  if (!(await currentUser())) return Response.json({ code: "UNAUTHENTICATED" }, { status: 401 });
  const raw = (await params).id;
  const progress = /^[1-9]\d{0,15}$/.test(raw) ? await batchProgress(getDb(), Number(raw)) : null;
  if (!progress) return Response.json({ code: "NOT_FOUND" }, { status: 404 });
  return Response.json(progress, { headers: { "Cache-Control": "no-store" } });
}
