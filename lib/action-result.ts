import { msg, type Message } from "./message";

/** What every server action and API handler returns: success, or a coded error with field-level details. */
export type ActionResult<T = undefined> =
  | { ok: true; data: T; message?: Message }
  | { ok: false; code: string; error: Message; fieldErrors?: Record<string, string[]> };

export function failure(code: string, error: Message, fieldErrors?: Record<string, string[]>): ActionResult<never> {
  return { ok: false, code, error, fieldErrors };
}

export const UNAUTHENTICATED = failure("UNAUTHENTICATED", msg("outcomes.actionResult.UNAUTHENTICATED"));

export const FORBIDDEN = failure("FORBIDDEN", msg("outcomes.actionResult.FORBIDDEN"));

/**
 * An action that threw: nothing the user did wrong, and what was saved is unknown to the action itself. The reference
 * is the one logged with the error, so support finds it.
 */
export const UNEXPECTED = (reference: string) =>
  failure("UNEXPECTED", msg("outcomes.actionResult.UNEXPECTED", { reference }));

export const INVALID_INPUT = (fieldErrors: Record<string, string[]>) =>
  failure("INVALID_INPUT", msg("outcomes.actionResult.INVALID_INPUT"), fieldErrors);
