/**
 * Strict-Transport-Security for a console served over https (APP_URL): browsers then refuse plain http to it for a
 * year, so a network attacker cannot strip TLS on a later visit. Nothing over http, where it would mean nothing.
 */
export function strictTransportSecurity(appUrl: string): string | null {
  return new URL(appUrl).protocol === "https:" ? "max-age=31536000; includeSubDomains" : null;
}
