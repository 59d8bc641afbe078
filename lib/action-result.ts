import { msg, type Message } from "./message";

/**
 * What every server action and API handler returns: success, or a coded error with field-level details. Its texts are
 * messages (`M`), put in words for the browser as a `FormResult`.
 */
export type ActionResult<T = undefined, M = Message> =
  { ok: true; data: T; message?: M } | { ok: false; code: string; error: M; fieldErrors?: Record<string, string[]> };

/** What a form receives in the browser: the action's result with its messages in the reader's words. */
export type FormResult<T = undefined> = ActionResult<T, string>;

/** The result with its messages worded by `text` (the server's translator for the request's language). */
export function worded<T>(result: ActionResult<T>, text: (message: Message) => string): FormResult<T> {
  if (!result.ok) return { ...result, error: text(result.error) };
  const { message, ...rest } = result;
  return message ? { ...rest, message: text(message) } : rest;
}

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
