import { NOT_FOUND, routeUser } from "@/app/_server/route-user";
import { getDb } from "@/lib/db/client";
import { orderRefundsVersion } from "@/lib/db/queries/live";

/** The order page polls this while a refund is in flight. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await routeUser();
  if (user instanceof Response) return user;
  const raw = (await params).id;
  if (!/^[1-9]\d{0,15}$/.test(raw)) return NOT_FOUND();
  const snapshot = await orderRefundsVersion(getDb(), user.merchantId, Number(raw));
  if (!snapshot) return NOT_FOUND();
  return Response.json(snapshot, { headers: { "Cache-Control": "no-store" } });
}
