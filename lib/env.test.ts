import { describe, expect, it } from "vitest";
import { bulkRunSettings } from "./bulk/settings";
import { envSetting, serverEnv, trustedProxies } from "./env";
import { orderIntervalMs } from "./refunds/settings";

const server = {
  DATABASE_URL: "postgres://postgres@127.0.0.1:5432/postgres",
  AUTH_SECRET: "a-secret-of-at-least-thirty-two-characters",
};

describe("the environment, read once through lib/env.ts", () => {
  it.each([
    ["REFUND_ORDER_INTERVAL_SECONDS", undefined, () => orderIntervalMs({}), 60_000],
    ["REFUND_ORDER_INTERVAL_SECONDS", "1", () => orderIntervalMs({ REFUND_ORDER_INTERVAL_SECONDS: "1" }), 1000],
    ["REFUND_ORDER_INTERVAL_SECONDS", "0", () => orderIntervalMs({ REFUND_ORDER_INTERVAL_SECONDS: "0" }), 0],
    ["BULK_ROWS_PER_SECOND", undefined, () => bulkRunSettings({}).rowsPerSecond, 100],
    ["BULK_ROWS_PER_SECOND", "150", () => bulkRunSettings({ BULK_ROWS_PER_SECOND: "150" }).rowsPerSecond, 150],
    ["TRUSTED_PROXIES", undefined, () => trustedProxies({}), 1],
    ["TRUSTED_PROXIES", "2", () => trustedProxies({ TRUSTED_PROXIES: "2" }), 2],
  ])("%s=%s reads as its value or its default", (_name, _value, read, expected) => {
    expect(read()).toBe(expected);
  });

  it.each([
    ["REFUND_ORDER_INTERVAL_SECONDS", "sixty"],
    ["REFUND_ORDER_INTERVAL_SECONDS", "-1"],
    ["REFUND_ORDER_INTERVAL_SECONDS", "3601"],
    ["REFUND_ORDER_INTERVAL_SECONDS", "1.5"],
    ["BULK_ROWS_PER_SECOND", "151"],
    ["BULK_ROWS_PER_SECOND", "0"],
    ["TRUSTED_PROXIES", "0"],
    ["LOG_LEVEL", "verbose"],
  ] as const)(
    "a bad %s (%s) fails at once, naming the variable, instead of falling back to a default",
    (name, value) => {
      expect(() => envSetting(name, { [name]: value })).toThrow(new RegExp(`Invalid environment:\\n  ${name}: `));
      expect(() => serverEnv({ ...server, [name]: value })).toThrow(new RegExp(`  ${name}: `));
    },
  );

  it("never echoes a bad value, which may be a secret", () => {
    const secret = "not-a-key-but-secret-looking-0123456789";
    expect(() => serverEnv({ ...server, APP_ENCRYPTION_KEY: secret })).toThrow(/APP_ENCRYPTION_KEY: /);
    expect(() => serverEnv({ ...server, APP_ENCRYPTION_KEY: secret })).not.toThrow(new RegExp(secret));
  });

  it("validates the whole server environment at start-up, every problem listed", () => {
    expect(serverEnv(server)).toMatchObject({ REFUND_ORDER_INTERVAL_SECONDS: 60, BULK_ROWS_PER_SECOND: 100 });
    expect(() => serverEnv({ AUTH_SECRET: "short" })).toThrow(/DATABASE_URL: [^\n]+\n {2}AUTH_SECRET: /);
  });
});
