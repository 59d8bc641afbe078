/**
 * Strict base64 for signatures and ciphertexts. Node's `Buffer.from(s, "base64")` silently skips characters
 * outside the alphabet, so "invalid cipher" would decode to bytes instead of being refused.
 */

// 1 for A–Z a–z 0–9 + /, by char code. A table walk, not a regular expression: this runs on every callback's
// signature and ciphertext, and the regex was the second-hottest frame of callback verification.
const ALPHABET = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") ALPHABET[c.charCodeAt(0)] = 1;

/** Canonically padded base64: groups of four, with `=` only as the last one or two characters of the last group. */
function isPaddedBase64(text: string): boolean {
  const length = text.length;
  if (length === 0 || length % 4 !== 0) return false;
  const padding = text.charCodeAt(length - 1) === 61 ? (text.charCodeAt(length - 2) === 61 ? 2 : 1) : 0;
  for (let i = 0; i < length - padding; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || ALPHABET[code] === 0) return false;
  }
  return true;
}

/** The decoded bytes, or undefined when `text` is not canonical padded base64 (empty text is refused too). */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!isPaddedBase64(text)) return undefined;
  return Buffer.from(text, "base64");
}
