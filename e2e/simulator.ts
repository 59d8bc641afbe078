import { SimControl } from "../simulator/control-client";

/** The run's own simulator (playwright.config.ts starts it with these), driven through its control API. */
export const E2E_SIMULATOR = { port: 4110, controlToken: "e2e-simulator-control-token-not-secret" } as const;

export const simulatorControl = () => new SimControl(`http://127.0.0.1:${E2E_SIMULATOR.port}`, E2E_SIMULATOR.controlToken);
