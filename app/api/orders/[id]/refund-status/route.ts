import { currentUser } from "@/app/_server/session";
import { getDb } from "@/lib/db/client";
import { orderRefundsVersion } from "@/lib/db/queries/live";

/** The order page polls this while a refund is in flight. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  if (!(await currentUser())) return Response.json({ code: "UNAUTHENTICATED" }, { status: 401 });
  const raw = (await params).id;
  if (!/^[1-9]\d{0,15}$/.test(raw)) return Response.json({ code: "NOT_FOUND" }, { status: 404 });
  const snapshot = await orderRefundsVersion(getDb(), Number(raw));
  return Response.json(snapshot, { headers: { "Cache-Control": "no-store" } });
}
