import { describe, expect, it } from "vitest";
import { readConfig } from "./config";

describe("readConfig", () => {
  it("has the documented defaults", () => {
    expect(readConfig({})).toEqual({
      port: 4010,
      tlsPort: 4011,
      options: {
        stateFile: ".data/simulator/state.json",
        settleMs: 3000,
        orderIntervalMs: 60_000,
        timeScale: 1,
        controlToken: undefined,
        tls: undefined,
      },
    });
  });

  it("reads every variable, and the TLS files by path", () => {
    const files: Record<string, string> = { "/c": "CERT", "/k": "KEY", "/a": "CA" };
    const config = readConfig(
      {
        SIM_PORT: "0",
        SIM_TLS_PORT: "4443",
        SIM_STATE_FILE: "/tmp/s.json",
        SIM_TLS_CERT: "/c",
        SIM_TLS_KEY: "/k",
        SIM_TLS_CA: "/a",
        SIM_CONTROL_TOKEN: "t",
        SIM_ORDER_INTERVAL_MS: "0",
        SIM_SETTLE_MS: "10",
        SIM_TIME_SCALE: "1000",
      },
      (path) => files[path] ?? "",
    );
    expect(config).toEqual({
      port: 0,
      tlsPort: 4443,
      options: {
        stateFile: "/tmp/s.json",
        settleMs: 10,
        orderIntervalMs: 0,
        timeScale: 1000,
        controlToken: "t",
        tls: { cert: "CERT", key: "KEY", ca: "CA" },
      },
    });
  });

  it("refuses half a TLS configuration, bad ports and a zero time scale", () => {
    expect(() => readConfig({ SIM_TLS_CERT: "/c" })).toThrow(/go together/);
    expect(() => readConfig({ SIM_PORT: "70000" })).toThrow(/SIM_PORT/);
    expect(() => readConfig({ SIM_TIME_SCALE: "0" })).toThrow(/SIM_TIME_SCALE/);
  });
});
