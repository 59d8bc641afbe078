/**
 * Runs once when a server instance starts (not during `next build`): it joins the job queue as a worker, and checks
 * the configured merchant's WeChat Pay configuration (one log line per problem, a banner on the dashboard).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  if (process.env.JOBS_ENABLED === "false") {
    const { setJobsState } = await import("./lib/ops/readiness");
    setJobsState("disabled");
    return;
  }
  const { startJobs, checkConfigurationAtStart } = await import("./lib/jobs/start");
  await startJobs();
  // In the background: a slow or unreachable WeChat Pay must not hold the instance's start.
  void checkConfigurationAtStart();
}
