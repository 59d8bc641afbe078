/** Runs once when a server instance starts: it joins the job queue as a worker (not during `next build`). */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  if (process.env.JOBS_ENABLED === "false") {
    const { setJobsState } = await import("./lib/ops/readiness");
    setJobsState("disabled");
    return;
  }
  const { startJobs } = await import("./lib/jobs/start");
  await startJobs();
}
