import type { BilingualText } from "./i18n-text";

/** What every server action and API handler returns: success, or a coded error with field-level details. */
export type ActionResult<T = undefined> =
  | { ok: true; data: T; message?: BilingualText }
  | { ok: false; code: string; error: BilingualText; fieldErrors?: Record<string, string[]> };

export function failure(
  code: string,
  error: BilingualText,
  fieldErrors?: Record<string, string[]>,
): ActionResult<never> {
  return { ok: false, code, error, fieldErrors };
}

export const UNAUTHENTICATED = failure("UNAUTHENTICATED", {
  zh: "登录已失效，请重新登录。",
  en: "Your session has ended. Sign in again.",
});

export const FORBIDDEN = failure("FORBIDDEN", {
  zh: "您的角色无权执行此操作。",
  en: "Your role does not allow this action.",
});

export const INVALID_INPUT = (fieldErrors: Record<string, string[]>) =>
  failure("INVALID_INPUT", { zh: "请检查标出的字段。", en: "Check the highlighted fields." }, fieldErrors);
