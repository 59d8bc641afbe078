import { msg, type Message } from "../message";
import { translate } from "../translate";

/** Every error code the merchant API answers with, and its HTTP status. docs/merchant-api.md lists them all. */
export const API_ERROR_STATUS = {
  INVALID_JSON: 400,
  INVALID_REQUEST: 400,
  UNAUTHENTICATED: 401,
  ORDER_NOT_FOUND: 404,
  REFUND_NOT_FOUND: 404,
  WEBHOOK_ENDPOINT_NOT_FOUND: 404,
  ORDER_CONFLICT: 409,
  OUT_REFUND_NO_CONFLICT: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  PAYLOAD_TOO_LARGE: 413,
  MERCHANT_REQUIRED: 422,
  MERCHANT_INACTIVE: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  INVALID_AMOUNT: 422,
  AMOUNT_EXCEEDS_REMAINING: 422,
  REFUND_LIMIT_REACHED: 422,
  ORDER_TOO_OLD: 422,
  ORDER_NOT_PAID: 422,
  TOO_MANY_WEBHOOK_ENDPOINTS: 422,
  INTERNAL_ERROR: 500,
  WECHATPAY_ERROR: 502,
} as const;

export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

export interface ApiErrorBody {
  code: ApiErrorCode;
  message: string;
  message_zh?: string;
  field_errors?: Record<string, string[]>;
  [detail: string]: unknown;
}

/** An answer ready to send: the status and the JSON body. Services return these so replays can be stored as sent. */
export interface ApiReply<T = unknown> {
  status: number;
  body: T | ApiErrorBody;
  /** A repeat answered with the first request's result, not a new one. */
  replayed?: boolean;
}

export function apiError(
  code: ApiErrorCode,
  message: string | Message,
  details: Record<string, unknown> = {},
): ApiReply<never> {
  const text =
    typeof message === "string"
      ? { message }
      : { message: translate(message, "en"), message_zh: translate(message, "zh-CN") };
  return { status: API_ERROR_STATUS[code], body: { code, ...text, ...details } };
}

export const ORDER_NOT_FOUND = () => apiError("ORDER_NOT_FOUND", msg("outcomes.merchantApi.errors.ORDER_NOT_FOUND"));

export const MERCHANT_REQUIRED = () =>
  apiError("MERCHANT_REQUIRED", msg("outcomes.merchantApi.errors.MERCHANT_REQUIRED"));
