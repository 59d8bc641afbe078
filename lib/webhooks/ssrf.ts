import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * Addresses a webhook may never reach unless WEBHOOKS_ALLOW_PRIVATE=true: this host, the private networks behind it,
 * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast and reserved ranges — IPv4 and IPv6.
 */
const FORBIDDEN = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, "ipv6");
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedIpv4(address: string): string | null {
  const match = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (!match) return null;
  if (match[1]) return match[1];
  const high = parseInt(match[2]!, 16);
  const low = parseInt(match[3]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}

export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return FORBIDDEN.check(address, "ipv4");
  if (family !== 6) return true;
  const inner = embeddedIpv4(address.toLowerCase());
  return inner ? FORBIDDEN.check(inner, "ipv4") : FORBIDDEN.check(address, "ipv6");
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}
/** DNS as the delivery sees it; tests pass their own to play a rebinding name server. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family as 4 | 6,
  }));

export type UrlRefusal = "INVALID_URL" | "SCHEME" | "CREDENTIALS" | "PRIVATE_ADDRESS" | "UNRESOLVABLE";

export interface UrlPolicy {
  allowPrivate: boolean;
}

/**
 * Checks of the URL alone, when an endpoint is saved: https (plain http only with private addresses allowed, for
 * development), no user:password, and no literal forbidden address. Names are resolved at delivery time instead.
 */
export function checkEndpointUrl(
  text: string,
  policy: UrlPolicy,
): { ok: true; url: URL } | { ok: false; error: UrlRefusal } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: "INVALID_URL" };
  }
  if (url.protocol !== "https:" && !(policy.allowPrivate && url.protocol === "http:"))
    return { ok: false, error: "SCHEME" };
  if (url.username || url.password) return { ok: false, error: "CREDENTIALS" };
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!policy.allowPrivate && isIP(host) && isForbiddenAddress(host)) return { ok: false, error: "PRIVATE_ADDRESS" };
  return { ok: true, url };
}

/**
 * The address to connect to, resolved now and checked: every address the name has must be allowed (a name with one
 * public and one private address is refused), and the connection goes to the checked one, so a second, different
 * answer from a rebinding name server is never asked for.
 */
export async function resolveDeliveryAddress(
  url: URL,
  policy: UrlPolicy,
  resolver: Resolver,
): Promise<{ ok: true; address: ResolvedAddress } | { ok: false; error: UrlRefusal }> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal) addresses = [{ address: host, family: literal as 4 | 6 }];
  else {
    try {
      addresses = await resolver(host);
    } catch {
      return { ok: false, error: "UNRESOLVABLE" };
    }
  }
  if (!addresses.length) return { ok: false, error: "UNRESOLVABLE" };
  if (!policy.allowPrivate && addresses.some((a) => isForbiddenAddress(a.address))) {
    return { ok: false, error: "PRIVATE_ADDRESS" };
  }
  return { ok: true, address: addresses[0]! };
}
