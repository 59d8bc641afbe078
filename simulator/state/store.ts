import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { emptyState, stateSchema, type SimState } from "./schema";

/**
 * The simulator's state, held in memory and written to one JSON file shortly after changes. Writing a temporary file
 * and renaming it over the old one means a crash mid-write leaves the previous state, never half a document. The
 * file holds private keys and API keys, hence mode 600.
 *
 * Writes are coalesced: the whole state is one document, so writing it after every request made a run of thousands
 * of refunds quadratic (and stalled the event loop long enough for clients to see connection resets). A change is
 * on disk within 50 ms while the state is small; as it grows, the wait grows with the time a write takes, so writing
 * stays within about a twentieth of the simulator's time (at most 2 s). `flush()` (called on close) writes at once.
 */
const MIN_FLUSH_DELAY_MS = 50;
const MAX_FLUSH_DELAY_MS = 2_000;
const WRITE_SHARE = 20;

export class StateStore {
  state: SimState;
  private readonly file: string | undefined;
  private pending: NodeJS.Timeout | undefined;
  private lastWriteMs = 0;

  /** `file` undefined keeps the state in memory only. */
  constructor(file?: string) {
    this.file = file;
    this.state = file ? load(file) : emptyState();
  }

  /** Marks the state changed; it is written shortly (see above). */
  commit(): void {
    if (!this.file || this.pending) return;
    const delay = Math.min(MAX_FLUSH_DELAY_MS, Math.max(MIN_FLUSH_DELAY_MS, this.lastWriteMs * WRITE_SHARE));
    this.pending = setTimeout(() => this.flush(), delay);
    this.pending.unref();
  }

  /** Writes the state now, if anything changed since the last write. */
  flush(): void {
    if (!this.file || !this.pending) return;
    clearTimeout(this.pending);
    this.pending = undefined;
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    const started = performance.now();
    try {
      writeFileSync(temporary, JSON.stringify(this.state), { mode: 0o600 });
      renameSync(temporary, this.file);
      this.lastWriteMs = performance.now() - started;
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  }

  /** Next value of the persisted counter behind refund and transaction ids. */
  nextSequence(): number {
    this.state.sequence += 1;
    return this.state.sequence;
  }
}

function load(file: string): SimState {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyState();
    throw error;
  }
  const parsed = stateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`simulator state ${file} is not valid: ${problems.join("; ")}`);
  }
  return parsed.data;
}
