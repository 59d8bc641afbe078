// One decoder for the process: decoding whole buffers (never `stream: true`) keeps no state between calls, and making
// a TextDecoder for every callback showed in its profile.
const exact = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The text of `bytes` exactly as sent (a leading BOM kept), or undefined when they are not valid UTF-8. */
export function decodeUtf8Exact(bytes: Uint8Array): string | undefined {
  try {
    return exact.decode(bytes);
  } catch {
    return undefined;
  }
}
