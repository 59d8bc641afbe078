/**
 * Strict base64 for signatures and ciphertexts. Node's `Buffer.from(s, "base64")` silently skips characters
 * outside the alphabet (and takes the URL-safe one too), so "invalid cipher" would decode to bytes instead of being
 * refused.
 */

const URL_SAFE = /[-_]/;

/**
 * The decoded bytes, or undefined when `text` is not padded base64 (empty text is refused too): the alphabet,
 * groups of four, `=` only as the last one or two characters. Checked natively, as this runs on every callback's
 * signature and ciphertext: any character Node skips (outside the alphabet, `=` before the end) leaves fewer bytes
 * than the length promises; the URL-safe characters, which Node would decode, are looked for separately.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const length = text.length;
  if (length === 0 || length % 4 !== 0) return undefined;
  const padding = text.charCodeAt(length - 1) === 61 ? (text.charCodeAt(length - 2) === 61 ? 2 : 1) : 0;
  const bytes = Buffer.from(text, "base64");
  if (bytes.length !== (length / 4) * 3 - padding || URL_SAFE.test(text)) return undefined;
  return bytes;
}
