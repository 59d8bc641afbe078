import { getDb } from "@/lib/db/client";
import { serverEnv } from "@/lib/env";
import { getBoss } from "@/lib/jobs/boss";
import { JOB_QUEUE_NAMES } from "@/lib/jobs/start";
import { metricsResponse } from "@/lib/ops/metrics-endpoint";

/** Prometheus metrics of this instance, behind METRICS_TOKEN (lib/ops/metrics-endpoint.ts). */
export async function GET(request: Request) {
  return metricsResponse(request, serverEnv().METRICS_TOKEN, getDb(), async () => {
    const boss = await getBoss();
    return { names: JOB_QUEUE_NAMES, size: (name) => boss.getQueueSize(name) };
  });
}
