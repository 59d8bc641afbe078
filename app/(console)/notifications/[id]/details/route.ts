import { NOT_FOUND, routeUser } from "@/app/_server/route-user";
import { can } from "@/lib/auth/roles";
import { getDb } from "@/lib/db/client";
import { getNotificationDetails } from "@/lib/db/queries/notifications";
import { redactJson } from "@/lib/evidence/redact";

/**
 * What a row of the callback log shows once opened: its decrypted content, headers, raw body and why it was refused.
 * The log's page sends only the rows' lines; this is fetched when one is opened. Checks the session itself, and keeps
 * to the log's scope: the merchant's callbacks, and for a platform admin those tied to none.
 */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await routeUser();
  if (user instanceof Response) return user;
  const raw = (await params).id;
  if (!/^[1-9]\d{0,15}$/.test(raw)) return NOT_FOUND();
  const scope = { merchantId: user.merchantId, withUnattributed: user.platformAdmin };
  const details = await getNotificationDetails(getDb(), scope, Number(raw));
  if (!details) return NOT_FOUND();
  // Decrypted on the server, masked here for viewers: the browser of a viewer never gets the payer's data.
  const decrypted =
    details.decrypted && !can(user.role, "seePersonalData")
      ? (redactJson(details.decrypted, { forViewer: true }) as Record<string, unknown>)
      : details.decrypted;
  return Response.json({ ...details, decrypted }, { headers: { "Cache-Control": "no-store" } });
}
