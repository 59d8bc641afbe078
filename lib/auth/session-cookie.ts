/**
 * The session cookie, spelled out rather than left to NextAuth's defaults: never readable by scripts (HttpOnly),
 * not sent on cross-site POSTs (SameSite=Lax), and only over TLS when the console is served over https — then also
 * with the `__Secure-` prefix, which browsers refuse to set without Secure. NextAuth v4 picks the same by default,
 * but from NEXTAUTH_URL; this follows APP_URL, the console's one public address.
 */
export function sessionCookie(appUrl: string) {
  const secure = new URL(appUrl).protocol === "https:";
  return {
    secure,
    name: `${secure ? "__Secure-" : ""}next-auth.session-token`,
    options: { httpOnly: true, sameSite: "lax" as const, path: "/", secure },
  };
}
