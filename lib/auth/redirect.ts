const ORIGIN = "http://console.invalid";

/**
 * Where to go after signing in: the path asked for when it stays on this console, else `fallback`. Only a relative
 * path is taken, and only when a browser would also read it as one: no scheme or host, no `//` or `/\` (browsers
 * treat a backslash as a slash), nothing percent-encoded into one, no tab, newline or other control character
 * (browsers drop them, so `/\t/evil.example` becomes `//evil.example`). An open redirect after sign-in is a
 * phishing aid: the login page is the one every link to the console passes through.
 */
export function safeRedirectPath(requested: string | undefined, fallback: string): string {
  if (!requested || !requested.startsWith("/")) return fallback;
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\u0000-\u001f\u007f\\]/.test(requested)) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(requested);
  } catch {
    return fallback;
  }
  if (/^\/[/\\]/.test(requested) || /^\/[/\\]/.test(decoded) || decoded.includes("\\")) return fallback;
  const url = new URL(requested, ORIGIN);
  // Normalising can make `//` again (`/.//evil.example`): what is returned must itself pass.
  const path = url.pathname + url.search + url.hash;
  return url.origin === ORIGIN && !/^\/[/\\]/.test(path) ? path : fallback;
}
