import { SimControl } from "../simulator/control-client";

/**
 * The run's own simulator (playwright.config.ts starts it with these), driven through its control API. Its port, like
 * the app's `E2E_PORT`, can be moved with `E2E_SIM_PORT` so that two checkouts run their browser tests side by side.
 */
export const E2E_SIMULATOR = {
  port: Number(process.env.E2E_SIM_PORT ?? 4110),
  controlToken: "e2e-simulator-control-token-not-secret",
} as const;

export const simulatorControl = () =>
  new SimControl(`http://127.0.0.1:${E2E_SIMULATOR.port}`, E2E_SIMULATOR.controlToken);
