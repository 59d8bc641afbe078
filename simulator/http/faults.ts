/**
 * Injected faults: the next N matching API requests fail in a chosen way. They are taken (counted down) only once
 * a request has been authenticated, so a test's own mistakes do not use them up.
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { Fault, FaultKind } from "../state/schema";
import type { StateStore } from "../state/store";
import type { Answer } from "./io";

export interface FaultInput {
  kind: FaultKind;
  count?: number;
  delayMs?: number;
  method?: string;
  path?: string;
}

export class FaultBox {
  /** Answers held on purpose (accept-then-timeout), destroyed on shutdown. */
  private readonly held = new Set<ServerResponse>();

  constructor(private readonly store: StateStore) {}

  add(input: FaultInput): Fault {
    const fault: Fault = {
      id: randomUUID(),
      kind: input.kind,
      remaining: input.count ?? 1,
      ...(input.delayMs === undefined ? {} : { delayMs: input.delayMs }),
      ...(input.method === undefined ? {} : { method: input.method.toUpperCase() }),
      ...(input.path === undefined ? {} : { path: input.path }),
    };
    this.store.state.faults.push(fault);
    this.store.commit();
    return fault;
  }

  list(): Fault[] {
    return this.store.state.faults;
  }

  clear(): void {
    this.store.state.faults = [];
    this.store.commit();
  }

  /** The first fault matching this request, counted down; undefined when none applies. */
  take(method: string, path: string): Fault | undefined {
    const { state } = this.store;
    const fault = state.faults.find((f) => (!f.method || f.method === method) && (!f.path || f.path === path));
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) state.faults = state.faults.filter((f) => f !== fault);
    this.store.commit();
    return { ...fault };
  }

  /**
   * Writes `answer` the way `fault` says: held forever (the client times out), connection destroyed instead of an
   * answer, or delayed. The delay is real time on purpose: it is the network, which the client measures in real time.
   */
  deliver(res: ServerResponse, answer: Answer, fault: Fault | undefined): void {
    switch (fault?.kind) {
      case "timeout_after_accept":
        this.held.add(res);
        res.on("close", () => this.held.delete(res));
        return;
      case "reset_before":
      case "reset_after":
        res.socket?.destroy();
        return;
      case "slow":
        setTimeout(() => write(res, answer), fault.delayMs ?? 0);
        return;
      default:
        write(res, answer);
    }
  }

  releaseHeld(): void {
    for (const res of this.held) res.socket?.destroy();
    this.held.clear();
  }
}

function write(res: ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  res.writeHead(answer.status, answer.headers).end(answer.body);
}
