import { sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";

/** For load balancers and the smoke test: the app is up and its database answers. Reveals nothing else. */
export async function GET() {
  try {
    await getDb().execute(sql`select 1`);
    return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
  } catch {
    return Response.json({ status: "database_unavailable" }, { status: 503, headers: { "Cache-Control": "no-store" } });
  }
}
