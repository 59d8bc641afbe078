/** A typed client of the control API, for the console's start script (demo.ts) and the simulator's tests. */
import type { MerchantInput, MerchantMaterial } from "./domain/merchants";
import type { Registered, TransactionInput } from "./domain/transactions";
import type { LoggedRequest } from "./http/request-log";
import type { Delivery, Fault, FaultKind, NotifySettings, Refund, Script } from "./state/schema";

export class SimControl {
  constructor(
    private readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  health(): Promise<{ ok: boolean }> {
    return this.call("GET", "/_sim/health");
  }

  upsertMerchant(input: MerchantInput): Promise<MerchantMaterial> {
    return this.call("POST", "/_sim/merchants", input);
  }

  patchMerchant(mchid: string, patch: Omit<Partial<MerchantInput>, "mchid" | "merchantPublicKey" | "merchantSerialNo">): Promise<Record<string, unknown>> {
    return this.call("PATCH", `/_sim/merchants/${mchid}`, patch);
  }

  addTransactions(mchid: string, transactions: TransactionInput[]): Promise<Registered> {
    return this.call("POST", "/_sim/transactions", { mchid, transactions });
  }

  /** The outcome of a refund by number, or of the next refund when `outRefundNo` is left out. */
  script(outcome: Script & { mchid?: string; outRefundNo?: string }): Promise<{ result: string }> {
    return this.call("POST", "/_sim/outcomes", outcome);
  }

  addFault(fault: { kind: FaultKind; count?: number; delayMs?: number; method?: "GET" | "POST"; path?: string }): Promise<Fault> {
    return this.call("POST", "/_sim/faults", fault);
  }

  notifySettings(patch: Partial<NotifySettings>): Promise<NotifySettings> {
    return this.call("PATCH", "/_sim/notify-settings", patch);
  }

  config(patch: { settleMs?: number | null; orderIntervalMs?: number | null }): Promise<{ settleMs: number; orderIntervalMs: number | null; timeScale: number }> {
    return this.call("PATCH", "/_sim/config", patch);
  }

  refunds(query: { mchid?: string; outRefundNo?: string } = {}): Promise<Refund[]> {
    return this.call("GET", `/_sim/refunds?${new URLSearchParams(query)}`);
  }

  deliveries(query: { mchid?: string; outRefundNo?: string } = {}): Promise<Delivery[]> {
    return this.call("GET", `/_sim/deliveries?${new URLSearchParams(query)}`);
  }

  requests(path?: string): Promise<LoggedRequest[]> {
    return this.call("GET", `/_sim/requests${path ? `?${new URLSearchParams({ path })}` : ""}`);
  }

  reset(keepMerchants = false): Promise<{ reset: boolean }> {
    return this.call("POST", "/_sim/reset", { keepMerchants });
  }
}
