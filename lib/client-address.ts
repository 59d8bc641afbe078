/**
 * The address a request came from, as the proxies in front of the console report it. `X-Forwarded-For` is a list
 * each proxy appends to, so only its last `trustedProxies` entries were written by proxies we run: the entry just
 * before them is the client's. Entries further left were sent by the client itself and are never believed — taking
 * the first entry would let anyone pick the address their sign-in failures or forged callbacks are counted under.
 * Next.js itself sets the header to the socket's address when a request arrives without one, so a console reached
 * directly also sees its clients' addresses; deployed for real, it sits behind a proxy that appends (docs/deploy.md).
 */
/** One proxy (a load balancer or a reverse proxy with TLS) in front of the console: the usual deployment. */
export const DEFAULT_TRUSTED_PROXIES = 1;

export function clientAddress(
  header: (name: string) => string | null | undefined,
  trustedProxies: number,
): string | null {
  const hops = (header("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  // With one trusted proxy it wrote the last entry itself: the client's address. With two, the one before it; …
  const address = hops.at(-trustedProxies) ?? (trustedProxies === 1 ? header("x-real-ip")?.trim() : undefined);
  return address ? address.slice(0, 64) : null;
}
