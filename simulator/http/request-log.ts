/**
 * What the simulator received on WeChat's surface, newest last. Kept in memory only and bounded: it is for looking
 * at what a console sent during a session, not a record that must outlive a restart.
 */

export interface LoggedRequest {
  at: number;
  method: string;
  path: string;
  mchid?: string;
  /** HTTP status of the answer; absent when the answer was held or the connection reset on purpose. */
  status?: number;
  code?: string;
  fault?: string;
  /** The request body, cut to a readable length. */
  body: string;
}

const MAX_ENTRIES = 1000;
const MAX_BODY = 2000;

export class RequestLog {
  private entries: LoggedRequest[] = [];

  add(entry: LoggedRequest): void {
    this.entries.push({ ...entry, body: entry.body.slice(0, MAX_BODY) });
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  list(): readonly LoggedRequest[] {
    return this.entries;
  }

  clear(): void {
    this.entries = [];
  }
}
