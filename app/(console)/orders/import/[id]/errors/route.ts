import { getLocale } from "next-intl/server";
import { NOT_FOUND, routeUser } from "@/app/_server/route-user";
import { getDb } from "@/lib/db/client";
import { orderFileErrorReport } from "@/lib/orders-import/error-report";
import { findOrderFileImport } from "@/lib/orders-import/queries";

/** The refused lines of an orders file, with why, in the reader's language. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await routeUser();
  if (user instanceof Response) return user;
  const raw = (await params).id;
  const found = /^[1-9]\d{0,15}$/.test(raw)
    ? await findOrderFileImport(getDb(), user.merchantId, Number(raw))
    : undefined;
  if (!found) return NOT_FOUND();
  return new Response(orderFileErrorReport(found.problems, await getLocale()), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="orders-import-${found.id}-errors.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
