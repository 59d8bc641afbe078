import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { emptyState, stateSchema, type SimState } from "./schema";

/**
 * The simulator's state, held in memory and written to one JSON file after every change. Writing a temporary file
 * and renaming it over the old one means a crash mid-write leaves the previous state, never half a document. The
 * file holds private keys and API keys, hence mode 600.
 */
export class StateStore {
  state: SimState;
  private readonly file: string | undefined;

  /** `file` undefined keeps the state in memory only. */
  constructor(file?: string) {
    this.file = file;
    this.state = file ? load(file) : emptyState();
  }

  /** Persists the current state; call after every change, before answering the request that made it. */
  commit(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, JSON.stringify(this.state), { mode: 0o600 });
      renameSync(temporary, this.file);
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
