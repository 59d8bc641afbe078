"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/app/_server/action";
import { failure, type ActionResult } from "@/lib/action-result";
import { ROLES } from "@/lib/auth/roles";
import { getDb } from "@/lib/db/client";
import type { UserRole } from "@/lib/db/schema";
import { parseYuan } from "@/lib/money";
import {
  changeRole,
  createUser,
  removeMember,
  resetPassword,
  setDailyRefundLimit,
  setDisabled,
  type UserAdminError,
} from "@/lib/users/admin";

// Messages are codes translated by the page (`admin.errors.<code>`).
const role = z.enum(ROLES as [UserRole, ...UserRole[]], "REQUIRED");
const userId = z.uuid();
/** Empty: no limit. Otherwise yuan, parsed to fen without floats. */
const dailyLimit = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (!text?.trim()) return null;
    const fen = parseYuan(text);
    if (fen.ok) return fen.value;
    ctx.addIssue({ code: "custom", message: `AMOUNT_${fen.error}` });
    return z.NEVER;
  });
const password = z
  .string()
  .optional()
  .transform((p) => p || undefined);

function refused(error: UserAdminError): ActionResult<never> {
  return failure(error.code, error.message, error.field ? { [error.field]: [error.code] } : undefined);
}

function done<T>(data: T, id?: string): ActionResult<T> {
  revalidatePath("/admin/users");
  if (id) revalidatePath(`/admin/users/${id}`);
  return { ok: true, data };
}

export const createUserAction = defineAction(
  "manageUsers",
  z.object({
    name: z.string().trim().min(1, "REQUIRED").max(100, "TOO_LONG"),
    email: z.string().trim().pipe(z.email("EMAIL_FORMAT")),
    role,
    password,
    dailyLimit,
  }),
  async (input, { user, actor }): Promise<ActionResult<{ id: string; email: string; generatedPassword?: string }>> => {
    const member = { ...input, dailyRefundLimitFen: input.dailyLimit };
    const created = await createUser(getDb(), user.merchantId, member, actor);
    if (!created.ok) return refused(created.error);
    return done({
      id: created.value.user.id,
      email: created.value.user.email,
      generatedPassword: created.value.generatedPassword,
    });
  },
);

export const changeRoleAction = defineAction(
  "manageUsers",
  z.object({ userId, role }),
  async (input, { user, actor }): Promise<ActionResult<null>> => {
    const changed = await changeRole(getDb(), user.merchantId, input, actor);
    return changed.ok ? done(null, input.userId) : refused(changed.error);
  },
);

export const setDisabledAction = defineAction(
  "manageUsers",
  z.object({ userId, disabled: z.enum(["true", "false"]).transform((v) => v === "true") }),
  async (input, { user, actor }): Promise<ActionResult<null>> => {
    const changed = await setDisabled(getDb(), user, input, actor);
    return changed.ok ? done(null, input.userId) : refused(changed.error);
  },
);

export const setDailyLimitAction = defineAction(
  "manageUsers",
  z.object({ userId, dailyLimit }),
  async (input, { user, actor }): Promise<ActionResult<null>> => {
    const limit = { userId: input.userId, limitFen: input.dailyLimit };
    const changed = await setDailyRefundLimit(getDb(), user, limit, actor);
    return changed.ok ? done(null, input.userId) : refused(changed.error);
  },
);

export const resetPasswordAction = defineAction(
  "manageUsers",
  z.object({ userId, password }),
  async (input, { user, actor }): Promise<ActionResult<{ generatedPassword?: string }>> => {
    const reset = await resetPassword(getDb(), user, input, actor);
    if (!reset.ok) return refused(reset.error);
    return done({ generatedPassword: reset.value.generatedPassword }, input.userId);
  },
);

/** Takes a member out of the current merchant; their account and other merchants stay. */
export const removeMemberAction = defineAction(
  "manageUsers",
  z.object({ userId }),
  async (input, { user, actor }): Promise<ActionResult<null>> => {
    const removed = await removeMember(getDb(), user.merchantId, input, actor);
    return removed.ok ? done(null) : refused(removed.error);
  },
);
