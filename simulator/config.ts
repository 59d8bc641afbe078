/** The simulator's environment variables, checked once at start-up. */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { DEFAULT_ORDER_INTERVAL_MS, DEFAULT_SETTLE_MS, type SimulatorOptions } from "./server";

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
const millis = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);
const optionalText = z
  .string()
  .optional()
  .transform((s) => (s?.trim() ? s.trim() : undefined));

/** The SIM_STATE_FILE that keeps the state in memory only. */
export const IN_MEMORY = ":memory:";

const envSchema = z
  .object({
    SIM_PORT: port(4010),
    /** HTTPS port of TLS mode. */
    SIM_TLS_PORT: port(4011),
    /** Where the state is kept; `:memory:` keeps it in memory only (benchmarks: see DemoGatewayOptions.persistState). */
    SIM_STATE_FILE: z.string().min(1).default(".data/simulator/state.json"),
    SIM_TLS_CERT: optionalText,
    SIM_TLS_KEY: optionalText,
    SIM_TLS_CA: optionalText,
    SIM_CONTROL_TOKEN: optionalText,
    SIM_ORDER_INTERVAL_MS: millis(DEFAULT_ORDER_INTERVAL_MS),
    SIM_SETTLE_MS: millis(DEFAULT_SETTLE_MS),
    SIM_TIME_SCALE: z.coerce.number().positive().default(1),
  })
  .refine(
    (e) => [e.SIM_TLS_CERT, e.SIM_TLS_KEY, e.SIM_TLS_CA].filter(Boolean).length % 3 === 0,
    "SIM_TLS_CERT, SIM_TLS_KEY and SIM_TLS_CA go together",
  );

export interface SimulatorConfig {
  port: number;
  tlsPort: number;
  options: SimulatorOptions;
}

export function readConfig(
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string = (path) => readFileSync(path, "utf8"),
): SimulatorConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`).join("; "));
  }
  const e = parsed.data;
  const tls =
    e.SIM_TLS_CERT && e.SIM_TLS_KEY && e.SIM_TLS_CA
      ? { cert: readFile(e.SIM_TLS_CERT), key: readFile(e.SIM_TLS_KEY), ca: readFile(e.SIM_TLS_CA) }
      : undefined;
  return {
    port: e.SIM_PORT,
    tlsPort: e.SIM_TLS_PORT,
    options: {
      stateFile: e.SIM_STATE_FILE === IN_MEMORY ? undefined : e.SIM_STATE_FILE,
      settleMs: e.SIM_SETTLE_MS,
      orderIntervalMs: e.SIM_ORDER_INTERVAL_MS,
      timeScale: e.SIM_TIME_SCALE,
      controlToken: e.SIM_CONTROL_TOKEN,
      tls,
    },
  };
}
