import { beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { CurrentUser } from "./session";
import { sessionUser } from "@/tests/fixtures/session";

const session = vi.hoisted(() => ({ user: null as CurrentUser | null }));
vi.mock("./session", () => ({
  currentUser: async () => session.user,
  auditActor: async (user: CurrentUser) => ({ id: user.id, label: user.email, ip: null }),
}));

const { defineAction } = await import("./action");

const asUser = (role: CurrentUser["role"]): CurrentUser =>
  sessionUser({ id: "u1", email: `${role}@example.com`, name: role }, role, "00000000-0000-4000-8000-000000000001");

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  return data;
}

describe("defineAction", () => {
  const handler = vi.fn(async () => ({ ok: true as const, data: "done" }));
  const refundLike = defineAction(
    "requestRefund",
    z.object({ amount: z.string().regex(/^\d+$/, "digits only") }),
    handler,
  );

  beforeEach(() => {
    handler.mockClear();
    session.user = null;
  });

  it("refuses a signed-out caller before anything runs", async () => {
    expect(await refundLike(null, form({ amount: "1" }))).toMatchObject({ ok: false, code: "UNAUTHENTICATED" });
    expect(handler).not.toHaveBeenCalled();
  });

  it("refuses a viewer a refund action on the server, whatever the page showed", async () => {
    session.user = asUser("viewer");
    expect(await refundLike(null, form({ amount: "1" }))).toMatchObject({ ok: false, code: "FORBIDDEN" });
    expect(handler).not.toHaveBeenCalled();
  });

  it("returns field errors for malformed input and does not call the handler", async () => {
    session.user = asUser("operator");
    const result = await refundLike(null, form({ amount: "12abc" }));
    expect(result).toMatchObject({ ok: false, code: "INVALID_INPUT", fieldErrors: { amount: ["digits only"] } });
    expect(handler).not.toHaveBeenCalled();
  });

  it("runs the handler with parsed input and the actor for an allowed role", async () => {
    session.user = asUser("admin");
    expect(await refundLike(null, form({ amount: "12" }))).toEqual({ ok: true, data: "done" });
    expect(handler).toHaveBeenCalledWith(
      { amount: "12" },
      { user: session.user, actor: { id: "u1", label: "admin@example.com", ip: null } },
    );
  });
});
