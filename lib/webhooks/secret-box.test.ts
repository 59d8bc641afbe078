import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readSecret, storeSecret } from "./secret-box";

const env = { APP_ENCRYPTION_KEY: randomBytes(32).toString("base64") };

describe("stored signing secrets", () => {
  it("are sealed under APP_ENCRYPTION_KEY, bound to their row, and read back", () => {
    const stored = storeSecret("whsec_abc", "webhook_endpoints:1", env);
    expect(stored.startsWith("sealed:")).toBe(true);
    expect(stored).not.toContain("whsec_abc");
    expect(readSecret(stored, "webhook_endpoints:1", env)).toEqual({ ok: true, value: "whsec_abc" });
    expect(readSecret(stored, "webhook_endpoints:2", env)).toEqual({ ok: false, error: "UNREADABLE" });
    const otherKey = { APP_ENCRYPTION_KEY: randomBytes(32).toString("base64") };
    expect(readSecret(stored, "webhook_endpoints:1", otherKey)).toEqual({ ok: false, error: "UNREADABLE" });
    expect(readSecret(stored, "webhook_endpoints:1", {})).toEqual({ ok: false, error: "UNREADABLE" });
  });

  it("are kept as they are without a key, and such ones read with or without one", () => {
    expect(storeSecret("whsec_abc", "webhook_endpoints:1", {})).toBe("whsec_abc");
    expect(readSecret("whsec_abc", "webhook_endpoints:1", env)).toEqual({ ok: true, value: "whsec_abc" });
  });
});
