import { getDb } from "@/lib/db/client";
import { checkReadiness } from "@/lib/ops/readiness";

/**
 * For load balancers and orchestrators: 200 when this instance should take traffic (database reachable, migrations
 * applied, job workers running or deliberately off), 503 otherwise, with which check failed. /api/health is liveness.
 */
export async function GET() {
  const readiness = await checkReadiness(getDb());
  return Response.json(
    { status: readiness.ready ? "ready" : "not_ready", checks: readiness.checks },
    { status: readiness.ready ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
