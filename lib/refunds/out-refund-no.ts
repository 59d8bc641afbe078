import { randomBytes } from "node:crypto";
import { beijingDate } from "../beijing-time";

/** WeChat: out_refund_no is at most 64 characters of `0-9 a-z A-Z _ - | * @`, unique within the merchant. */
export const OUT_REFUND_NO_PATTERN = /^[0-9A-Za-z_\-|*@]{1,64}$/;

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; // Crockford base32: no I, L, O, U to misread on the phone

/**
 * A fresh refund number: `R`, the Beijing date, and 16 random base32 characters (80 bits), e.g.
 * `R20261123K3V9X0QH7M2C4T8A`. Readable, sortable by day, and never guessed or reused.
 */
export function newOutRefundNo(now = new Date()): string {
  const day = beijingDate(now).replace(/-/g, "");
  const random = Array.from(randomBytes(16), (b) => ALPHABET[b % 32]).join("");
  return `R${day}${random}`;
}
