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

/**
 * An action that threw: nothing the user did wrong, and what was saved is unknown to the action itself. The reference
 * is the one logged with the error, so support finds it.
 */
export const UNEXPECTED = (reference: string) =>
  failure("UNEXPECTED", {
    zh: `出现意外错误（参考编号 ${reference}）。操作可能未完成，请刷新页面查看当前状态后再试。`,
    en: `Something unexpected went wrong (reference ${reference}). The action may not have finished: refresh the page to see the current state before trying again.`,
  });

export const INVALID_INPUT = (fieldErrors: Record<string, string[]>) =>
  failure("INVALID_INPUT", { zh: "请检查标出的字段。", en: "Check the highlighted fields." }, fieldErrors);
