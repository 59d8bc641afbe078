import { describe, expect, it } from "vitest";
import { strictTransportSecurity } from "./https";

describe("strictTransportSecurity", () => {
  it.each([
    ["https://refunds.example.com", "max-age=31536000; includeSubDomains"],
    ["https://refunds.example.com:8443/console", "max-age=31536000; includeSubDomains"],
    ["http://localhost:3000", null],
    ["http://refunds.example.com", null],
  ])("%s → %s", (appUrl, header) => {
    expect(strictTransportSecurity(appUrl)).toBe(header);
  });
});
