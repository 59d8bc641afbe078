import { beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { CurrentUser } from "./session";
import { sessionUser } from "@/tests/fixtures/session";
import { wording } from "@/tests/fixtures/message-text";

const session = vi.hoisted(() => ({ user: null as CurrentUser | null }));
vi.mock("./session", () => ({
  currentUser: async () => session.user,
  auditActor: async (user: CurrentUser) => ({ id: user.id, label: user.email, ip: null }),
}));

vi.mock("./message-text", () => import("@/tests/fixtures/message-text"));

const logged = vi.hoisted(() => ({ errors: [] as unknown[][] }));
vi.mock("@/lib/log", () => ({ log: { error: (...args: unknown[]) => logged.errors.push(args) } }));

const { defineAction } = await import("./action");
const { redirect } = await import("next/navigation");

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

  it("turns an exception into a logged UNEXPECTED result with a reference, instead of Next's error page", async () => {
    session.user = asUser("operator");
    const failing = defineAction("requestRefund", z.object({}), async () => {
      throw new Error("connection reset");
    });
    logged.errors.length = 0;
    const result = await failing(null, form({}));
    expect(result).toMatchObject({ ok: false, code: "UNEXPECTED" });
    const reference = /reference ([0-9a-f]{8})/.exec(result.ok ? "" : result.error)?.[1];
    expect(reference).toBeDefined();
    expect(logged.errors).toEqual([[{ err: new Error("connection reset"), reference }, "server action failed"]]);

    // The form gets the text in the operator's language, the reference in it.
    wording.locale = "zh-CN";
    const chinese = await failing(null, form({}));
    wording.locale = "en";
    const logReference = (logged.errors[1]![0] as { reference: string }).reference;
    expect(chinese.ok ? "" : chinese.error).toBe(
      `出现意外错误（参考编号 ${logReference}）。操作可能未完成，请刷新页面查看当前状态后再试。`,
    );
  });

  it("lets Next's own control flow through: a redirect still redirects", async () => {
    session.user = asUser("operator");
    const redirecting = defineAction("requestRefund", z.object({}), async () => redirect("/orders"));
    await expect(redirecting(null, form({}))).rejects.toMatchObject({
      digest: expect.stringMatching(/^NEXT_REDIRECT/),
    });
  });
});
