/** The first `maxBytes` bytes of `text` in UTF-8, cut back to a character boundary so no character is split. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Continuation bytes look like 10xxxxxx; stepping back over them lands on the start of the split character.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return new TextDecoder().decode(bytes.subarray(0, end));
}
