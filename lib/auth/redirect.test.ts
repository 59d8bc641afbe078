import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "./redirect";

describe("where sign-in may send a person", () => {
  it.each([
    ["/refunds?status=SUCCESS", "/refunds?status=SUCCESS"],
    ["/orders/42#refunds", "/orders/42#refunds"],
    ["/orders?q=%E9%80%80%E6%AC%BE", "/orders?q=%E9%80%80%E6%AC%BE"],
    [undefined, "/orders"],
    ["", "/orders"],
    ["https://evil.example/", "/orders"],
    ["//evil.example/", "/orders"],
    ["/\\evil.example/", "/orders"],
    ["\\\\evil.example/", "/orders"],
    ["/%2F/evil.example/", "/orders"],
    ["/%5Cevil.example/", "/orders"],
    ["/%5C%5Cevil.example/", "/orders"],
    ["/\t/evil.example/", "/orders"],
    ["/\n/evil.example/", "/orders"],
    ["/ /evil.example/", "/%20/evil.example/"],
    ["javascript:alert(1)", "/orders"],
    ["/%E0%A4%A", "/orders"],
    ["/.//evil.example", "/orders"],
    ["/a/..//evil.example", "/orders"],
  ])("%j → %j", (requested, expected) => {
    expect(safeRedirectPath(requested, "/orders")).toBe(expected);
  });
});
