import { NOT_FOUND, routeUser } from "@/app/_server/route-user";
import { batchProgress } from "@/lib/bulk/queries";
import { getDb } from "@/lib/db/client";

/** The batch page polls this while the batch runs or its refunds settle. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await routeUser();
  if (user instanceof Response) return user;
  const raw = (await params).id;
  const progress = /^[1-9]\d{0,15}$/.test(raw) ? await batchProgress(getDb(), user.merchantId, Number(raw)) : null;
  if (!progress) return NOT_FOUND();
  return Response.json(progress, { headers: { "Cache-Control": "no-store" } });
}
