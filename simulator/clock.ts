/**
 * Time for the simulator. Everything that happens "later" (settlements, notification retries) goes through a
 * Scheduler, so tests can drive time by hand instead of sleeping, and the same code runs on real timers in main.ts.
 */

export type Task = () => void | Promise<void>;

export interface Scheduler {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `task` once, at `at` or as soon as possible after it; returns a function that cancels it. */
  schedule(at: number, task: Task): () => void;
}

/** setTimeout caps delays at 2^31-1 ms (about 24.8 days); longer waits are chained. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Real time. Task failures are reported, never thrown into the event loop where they would stop the process. */
export function systemScheduler(onError: (error: unknown) => void): Scheduler {
  return {
    now: () => Date.now(),
    schedule(at, task) {
      let timer: NodeJS.Timeout;
      let cancelled = false;
      const arm = () => {
        const wait = Math.max(0, at - Date.now());
        timer = setTimeout(
          () => {
            if (cancelled) return;
            if (Date.now() < at) return arm();
            Promise.resolve().then(task).catch(onError);
          },
          Math.min(wait, MAX_TIMEOUT_MS),
        );
      };
      arm();
      return () => {
        cancelled = true;
        clearTimeout(timer);
      };
    },
  };
}
