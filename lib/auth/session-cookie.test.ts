import { describe, expect, it } from "vitest";
import { sessionCookie } from "./session-cookie";

describe("sessionCookie", () => {
  it("is HttpOnly, SameSite=Lax and Secure with the __Secure- prefix behind https", () => {
    expect(sessionCookie("https://refunds.example.com")).toEqual({
      secure: true,
      name: "__Secure-next-auth.session-token",
      options: { httpOnly: true, sameSite: "lax", path: "/", secure: true },
    });
  });

  it("is HttpOnly and SameSite=Lax but not Secure over plain http (a local console)", () => {
    expect(sessionCookie("http://localhost:3000")).toEqual({
      secure: false,
      name: "next-auth.session-token",
      options: { httpOnly: true, sameSite: "lax", path: "/", secure: false },
    });
  });
});
