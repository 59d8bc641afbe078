import { z } from "zod";
import { msg, type Message } from "../message";

/**
 * WeChat Pay's refund reason — APIv3 `reason`, APIv2 `refund_desc` — is string(80), documented as "不可超过80个字节":
 * 80 bytes of UTF-8, not 80 characters. A Chinese character takes 3 bytes, so 26 of them fit and a 27th does not.
 * The one definition of the limit: the refund form, the merchant API, bulk files, reason labels, both clients and the
 * simulator all count with `utf8Bytes`.
 */
export const MAX_REASON_BYTES = 80;

const encoder = new TextEncoder();

/** The size of `text` in UTF-8, as WeChat counts it. Works in the browser too (the form's counter). */
export function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

/** How many bytes are left for the reason; negative when it is too long. */
export function reasonBytesLeft(reason: string): number {
  return MAX_REASON_BYTES - utf8Bytes(reason);
}

/** Whether WeChat takes this reason. */
export function reasonFits(reason: string): boolean {
  return reasonBytesLeft(reason) >= 0;
}

/** What an operator reads when a reason is too long: its size in bytes, the limit, and how much to cut. */
export function reasonTooLongMessage(reason: string): Message {
  const bytes = utf8Bytes(reason);
  const over = bytes - MAX_REASON_BYTES;
  return msg("outcomes.wechatpay.reasonLimit.REASON_TOO_LONG", { bytes, max: MAX_REASON_BYTES, over });
}

/** A reason field as WeChat defines it, for the zod schemas at every boundary (the clients' and the simulator's). */
export const wechatReasonSchema = z.string().superRefine((reason, ctx) => {
  if (reasonFits(reason)) return;
  const message = `${utf8Bytes(reason)} bytes of UTF-8; WeChat Pay allows at most ${MAX_REASON_BYTES} (a Chinese character takes 3).`;
  ctx.addIssue({ code: "custom", message });
});

/** The reason a console refund sends: the chosen reason and the operator's note, joined as the payer reads them. */
export function refundReasonText(reason: string, note: string): string {
  return [reason.trim(), note.trim()].filter(Boolean).join(" · ");
}
