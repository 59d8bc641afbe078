import fs from "node:fs";
import os from "node:os";
import { defineConfig, devices } from "@playwright/test";
import { E2E_SIMULATOR } from "./e2e/simulator";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://localhost:${PORT}`;

/** Playwright never downloads a browser here: an explicit Chromium, else Debian's. */
const executablePath =
  process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH ??
  (fs.existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export default defineConfig({
  testDir: "./e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    {
      name: "chromium",
      use: { ...devices["Desktop Chrome"], viewport: { width: 1400, height: 900 } },
      dependencies: ["setup"],
    },
  ],
  webServer: {
    command: "node --import tsx scripts/start.ts",
    url: `${baseURL}/login`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      ...(process.env as Record<string, string>),
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? "",
      PORT: String(PORT),
      APP_URL: baseURL,
      AUTH_SECRET: "e2e-auth-secret-at-least-32-characters-long",
      LOG_LEVEL: "warn",
      // A simulator of its own for the run, fast enough for a browser test to watch a refund settle.
      SIMULATOR_DATA_DIR: `${os.tmpdir()}/refund-console-e2e-${process.pid}`,
      SIM_PORT: String(E2E_SIMULATOR.port),
      SIM_TLS_PORT: String(E2E_SIMULATOR.tlsPort),
      SIM_CONTROL_TOKEN: E2E_SIMULATOR.controlToken,
      SIM_SETTLE_MS: "1500",
      SIM_ORDER_INTERVAL_MS: "1000",
      REFUND_ORDER_INTERVAL_SECONDS: "1",
      // The webhook spec's receiver and the simulator's robots listen on 127.0.0.1.
      WEBHOOKS_ALLOW_PRIVATE: "true",
    },
  },
});
