import { SimControl } from "../simulator/control-client";

/**
 * The run's own simulator (playwright.config.ts starts it with these), driven through its control API. Its port, like
 * the app's `E2E_PORT`, can be moved with `E2E_SIM_PORT` (and `E2E_SIM_TLS_PORT`) so that two checkouts run their
 * browser tests side by side.
 */
const port = Number(process.env.E2E_SIM_PORT ?? 4110);

export const E2E_SIMULATOR = {
  port,
  /** Its HTTPS port (TLS mode), where the console sends every WeChat Pay call; next to `port` unless set. */
  tlsPort: Number(process.env.E2E_SIM_TLS_PORT ?? port + 1),
  controlToken: "e2e-simulator-control-token-not-secret",
} as const;

export const simulatorControl = () =>
  new SimControl(`http://127.0.0.1:${E2E_SIMULATOR.port}`, E2E_SIMULATOR.controlToken);
