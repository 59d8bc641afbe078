import "server-only";
import { createTranslator, type Messages } from "next-intl";
import type { NextRequest } from "next/server";
import { routeUser } from "@/app/_server/route-user";
import { auditActor } from "@/app/_server/session";
import { loadMessages } from "@/i18n/messages";
import { appendAudit } from "@/lib/audit/append";
import { getDb, getExportDb, type Database } from "@/lib/db/client";
import { csvContentDisposition } from "@/lib/exports/filename";
import { LOCALE_COOKIE, pickLocale } from "@/lib/locale";

export type ExportTranslator = ReturnType<typeof createTranslator<Messages>>;

interface CsvExport<Filters extends { after?: string }> {
  /** `orders` or `refunds`: the audit action `export.<kind>` and the file's ASCII name. */
  kind: "orders" | "refunds";
  /** The list page's own parser, so the file holds exactly what the list shows. */
  parse: (params: Record<string, string | undefined>) => Filters;
  stream: (
    db: Database,
    merchantId: string,
    filters: Omit<Filters, "after">,
    t: ExportTranslator,
  ) => ReadableStream<Uint8Array>;
}

/**
 * A list's CSV download: the signed-in reader (this handler is the security boundary, not the proxy), the list's
 * filters from the query string, an audit row saying who took which rows out, then the file streamed as it is read,
 * with headers in the reader's language.
 */
export async function csvExportResponse<Filters extends { after?: string }>(
  request: NextRequest,
  spec: CsvExport<Filters>,
): Promise<Response> {
  const user = await routeUser();
  if (user instanceof Response) return user;

  // The page cursor is the list's paging, not a filter: the file holds every matching row.
  const { after: _page, ...filters } = spec.parse(Object.fromEntries(request.nextUrl.searchParams));
  const locale = pickLocale(
    user.locale,
    request.cookies.get(LOCALE_COOKIE)?.value,
    request.headers.get("accept-language"),
  );
  const t: ExportTranslator = createTranslator({ locale, messages: loadMessages(locale) as Messages });
  const db = getDb();
  const target = { type: spec.kind, id: "csv", merchantId: user.merchantId };
  await appendAudit(db, await auditActor(user), `export.${spec.kind}`, target, { filters });

  return new Response(spec.stream(getExportDb(), user.merchantId, filters, t), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": csvContentDisposition(spec.kind, t(`exports.${spec.kind}.fileName`), new Date()),
      "Cache-Control": "no-store",
    },
  });
}
