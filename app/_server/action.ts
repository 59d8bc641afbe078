import "server-only";
import { randomUUID } from "node:crypto";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import {
  FORBIDDEN,
  INVALID_INPUT,
  UNAUTHENTICATED,
  UNEXPECTED,
  worded,
  type ActionResult,
  type FormResult,
} from "@/lib/action-result";
import type { AuditActor } from "@/lib/audit/append";
import { mayUse, PLATFORM_PERMISSIONS, type Permission } from "@/lib/auth/roles";
import { log } from "@/lib/log";
import { getMessageText } from "./message-text";
import { auditActor, currentUser, type CurrentUser, type ScopedUser } from "./session";

/** Platform actions act on every merchant (or none); all others on the current merchant only. */
type PlatformPermission = "manageMerchants" | "manageSettings";

export interface ActionContext<U extends CurrentUser = ScopedUser> {
  user: U;
  actor: AuditActor;
}

type Handled<T> = (previous: FormResult<T> | null, formData: FormData) => Promise<ActionResult<T>>;
type FormAction<T> = (previous: FormResult<T> | null, formData: FormData) => Promise<FormResult<T>>;

function parseForm<S extends z.ZodType>(schema: S, formData: FormData): z.ZodSafeParseResult<z.output<S>> {
  return schema.safeParse(Object.fromEntries(formData.entries())) as z.ZodSafeParseResult<z.output<S>>;
}

function invalid(error: z.ZodError): ActionResult<never> {
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "_form";
    (fieldErrors[key] ??= []).push(issue.message);
  }
  return INVALID_INPUT(fieldErrors);
}

/**
 * An exception in an action becomes a logged error and an `UNEXPECTED` result the form shows, instead of Next's
 * generic error page that loses what the operator typed. Next's own control flow (redirect, notFound) goes through.
 * The result's messages go to the browser in the operator's words: a form shows them without the catalogue.
 */
function guarded<T>(action: Handled<T>): FormAction<T> {
  return async (previous, formData) => {
    let result: ActionResult<T>;
    try {
      result = await action(previous, formData);
    } catch (error) {
      unstable_rethrow(error);
      const reference = randomUUID().slice(0, 8);
      log.error({ err: error, reference }, "server action failed");
      result = UNEXPECTED(reference);
    }
    return worded(result, await getMessageText());
  };
}

/**
 * Every server action goes through here: it loads the session (re-read from the database, with the current merchant),
 * checks the permission on the server, validates the form with zod, and only then calls the handler. The handler gets
 * the user's merchant, to put in every query's WHERE: an id of another merchant's object is simply not found.
 * Usable with `useActionState`.
 */
export function defineAction<S extends z.ZodType, T>(
  permission: Exclude<Permission, PlatformPermission>,
  schema: S,
  handler: (input: z.output<S>, context: ActionContext) => Promise<ActionResult<T>>,
): FormAction<T> {
  return guarded(async (_previous, formData) => {
    const user = await currentUser();
    if (!user) return UNAUTHENTICATED;
    if (user.merchantId === null || !mayUse(user, permission)) return FORBIDDEN;
    const parsed = parseForm(schema, formData);
    if (!parsed.success) return invalid(parsed.error);
    const scoped: ScopedUser = { ...user, merchantId: user.merchantId };
    return handler(parsed.data, { user: scoped, actor: await auditActor(user) });
  });
}

/** For the platform admin's actions on merchants and shared settings: no current merchant needed. */
export function definePlatformAction<S extends z.ZodType, T>(
  permission: PlatformPermission,
  schema: S,
  handler: (input: z.output<S>, context: ActionContext<CurrentUser>) => Promise<ActionResult<T>>,
): FormAction<T> {
  return guarded(async (_previous, formData) => {
    const user = await currentUser();
    if (!user) return UNAUTHENTICATED;
    if (!PLATFORM_PERMISSIONS.includes(permission) || !mayUse(user, permission)) return FORBIDDEN;
    const parsed = parseForm(schema, formData);
    if (!parsed.success) return invalid(parsed.error);
    return handler(parsed.data, { user, actor: await auditActor(user) });
  });
}
