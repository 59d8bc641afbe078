import type { Scheduler, Task } from "../clock";

interface Pending {
  at: number;
  seq: number;
  task: Task;
}

/**
 * Time that only moves when a test says so. `advance` runs every task that falls due, in time order (ties in the
 * order they were scheduled), and waits for each one, HTTP deliveries included, before running the next.
 */
export class ManualScheduler implements Scheduler {
  private current: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  schedule(at: number, task: Task): () => void {
    const entry = { at, seq: this.seq++, task };
    this.pending.push(entry);
    return () => {
      this.pending = this.pending.filter((p) => p !== entry);
    };
  }

  /** Moves time forward by `ms`, running what falls due on the way. `advance(0)` runs what is due now. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const due = this.pending.filter((p) => p.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.pending = this.pending.filter((p) => p !== due);
      this.current = Math.max(this.current, due.at);
      await due.task();
    }
    this.current = target;
  }

  /** When the next task is due, if any: lets a test jump straight to it. */
  nextDueAt(): number | undefined {
    return this.pending.reduce<number | undefined>(
      (min, p) => (min === undefined || p.at < min ? p.at : min),
      undefined,
    );
  }
}
