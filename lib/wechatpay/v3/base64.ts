/**
 * Strict base64 for signatures and ciphertexts. Node's `Buffer.from(s, "base64")` silently skips characters
 * outside the alphabet, so "invalid cipher" would decode to bytes instead of being refused.
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The decoded bytes, or undefined when `text` is not canonical padded base64 (empty text is refused too). */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (text.length === 0 || !BASE64.test(text)) return undefined;
  return Buffer.from(text, "base64");
}
