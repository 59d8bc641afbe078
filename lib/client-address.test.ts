import { describe, expect, it } from "vitest";
import { clientAddress } from "./client-address";

const from = (headers: Record<string, string>) => (name: string) => headers[name];

describe("clientAddress", () => {
  it.each([
    // One proxy in front (the default): it appended the client's address last; what the client sent is ignored.
    [{ "x-forwarded-for": "203.0.113.7" }, 1, "203.0.113.7"],
    [{ "x-forwarded-for": "6.6.6.6, 203.0.113.7" }, 1, "203.0.113.7"],
    [{ "x-real-ip": "203.0.113.8" }, 1, "203.0.113.8"],
    // Two proxies (a CDN, then a load balancer): the entry before the last.
    [{ "x-forwarded-for": "6.6.6.6, 203.0.113.7, 10.0.0.2" }, 2, "203.0.113.7"],
    [{ "x-forwarded-for": "10.0.0.2" }, 2, null],
    [{}, 1, null],
    [{ "x-forwarded-for": " , " }, 1, null],
  ])("%j with %i trusted → %s", (headers, trusted, expected) => {
    expect(clientAddress(from(headers), trusted)).toBe(expected);
  });
});
