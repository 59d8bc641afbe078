/** A typed client of the control API, for the console's start script (demo.ts) and the simulator's tests. */
import type { MerchantInput, MerchantMaterial } from "./domain/merchants";
import type { BillOutcome } from "./domain/bills";
import type { ImportedRefundInput, ImportedRefunds } from "./domain/refund-import";
import type { Registered, TransactionInput } from "./domain/transactions";
import type { LoggedRequest } from "./http/request-log";
import type { RobotMessage } from "./http/robots";
import type {
  BillAdjustment,
  BillAdjustmentInput,
  Delivery,
  Fault,
  FaultKind,
  NotifySettings,
  Refund,
  Script,
} from "./state/schema";

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

  patchMerchant(
    mchid: string,
    patch: Omit<Partial<MerchantInput>, "mchid" | "merchantPublicKey" | "merchantSerialNo">,
  ): Promise<Record<string, unknown>> {
    return this.call("PATCH", `/_sim/merchants/${mchid}`, patch);
  }

  addTransactions(mchid: string, transactions: TransactionInput[]): Promise<Registered> {
    return this.call("POST", "/_sim/transactions", { mchid, transactions });
  }

  /** Refunds recorded as given: the console's history (`import`), or refunds made by hand in the merchant platform. */
  importRefunds(
    mchid: string,
    refunds: ImportedRefundInput[],
    origin: "import" | "merchant_platform" = "import",
  ): Promise<ImportedRefunds> {
    return this.call("POST", "/_sim/refunds", { mchid, origin, refunds });
  }

  /** Makes a day's bill disagree with the state: omit, change or add a line, corrupt the hash, withhold the bill. */
  adjustBill(adjustment: BillAdjustmentInput): Promise<BillAdjustment> {
    return this.call("POST", "/_sim/bills/adjustments", adjustment);
  }

  clearBillAdjustments(): Promise<BillAdjustment[]> {
    return this.call("DELETE", "/_sim/bills/adjustments");
  }

  bill(mchid: string, billDate: string): Promise<BillOutcome> {
    return this.call("GET", `/_sim/bills?${new URLSearchParams({ mchid, billDate })}`);
  }

  /** The outcome of a refund by number, or of the next refund when `outRefundNo` is left out. */
  script(outcome: Script & { mchid?: string; outRefundNo?: string }): Promise<{ result: string }> {
    return this.call("POST", "/_sim/outcomes", outcome);
  }

  addFault(fault: {
    kind: FaultKind;
    count?: number;
    delayMs?: number;
    method?: "GET" | "POST";
    path?: string;
  }): Promise<Fault> {
    return this.call("POST", "/_sim/faults", fault);
  }

  notifySettings(patch: Partial<NotifySettings>): Promise<NotifySettings> {
    return this.call("PATCH", "/_sim/notify-settings", patch);
  }

  config(patch: {
    settleMs?: number | null;
    orderIntervalMs?: number | null;
  }): Promise<{ settleMs: number; orderIntervalMs: number | null; timeScale: number }> {
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

  /** What the console's alerts posted to the robot receiver. */
  robots(): Promise<RobotMessage[]> {
    return this.call("GET", "/_sim/robots");
  }

  reset(keepMerchants = false): Promise<{ reset: boolean }> {
    return this.call("POST", "/_sim/reset", { keepMerchants });
  }
}
