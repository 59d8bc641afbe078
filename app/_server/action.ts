import "server-only";
import type { z } from "zod";
import { FORBIDDEN, INVALID_INPUT, UNAUTHENTICATED, type ActionResult } from "@/lib/action-result";
import type { AuditActor } from "@/lib/audit/append";
import { can, type Permission } from "@/lib/auth/roles";
import { auditActor, currentUser, type CurrentUser } from "./session";

export interface ActionContext {
  user: CurrentUser;
  actor: AuditActor;
}

/**
 * Every server action goes through here: it loads the session (re-read from the database), checks the role on the
 * server, validates the form with zod, and only then calls the handler. Usable with `useActionState`.
 */
export function defineAction<S extends z.ZodType, T>(
  permission: Permission,
  schema: S,
  handler: (input: z.output<S>, context: ActionContext) => Promise<ActionResult<T>>,
): (previous: ActionResult<T> | null, formData: FormData) => Promise<ActionResult<T>> {
  return async (_previous, formData) => {
    const user = await currentUser();
    if (!user) return UNAUTHENTICATED;
    if (!can(user.role, permission)) return FORBIDDEN;
    const parsed = schema.safeParse(Object.fromEntries(formData.entries()));
    if (!parsed.success) {
      const fieldErrors: Record<string, string[]> = {};
      for (const issue of parsed.error.issues) {
        const key = issue.path.join(".") || "_form";
        (fieldErrors[key] ??= []).push(issue.message);
      }
      return INVALID_INPUT(fieldErrors);
    }
    return handler(parsed.data, { user, actor: await auditActor(user) });
  };
}
