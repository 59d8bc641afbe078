import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookReceiver } from "../../tests/fixtures/webhook-receiver";
import { postOutside } from "./post";
import { checkEndpointUrl, isForbiddenAddress, type Resolver } from "./ssrf";

const strict = { allowPrivate: false };

describe("endpoint URLs refused when saved", () => {
  it.each([
    ["http://shop.example.com/hook", "SCHEME"],
    ["ftp://shop.example.com/hook", "SCHEME"],
    ["not a url", "INVALID_URL"],
    ["https://user:pw@shop.example.com/hook", "CREDENTIALS"],
    ["https://127.0.0.1/hook", "PRIVATE_ADDRESS"],
    ["https://127.8.9.10/hook", "PRIVATE_ADDRESS"],
    ["https://2130706433/hook", "PRIVATE_ADDRESS"], // 127.0.0.1 as one decimal number
    ["https://0x7f.1/hook", "PRIVATE_ADDRESS"], // and in hex
    ["https://0.0.0.0/hook", "PRIVATE_ADDRESS"],
    ["https://10.1.2.3/hook", "PRIVATE_ADDRESS"],
    ["https://172.16.0.1/hook", "PRIVATE_ADDRESS"],
    ["https://172.31.255.255/hook", "PRIVATE_ADDRESS"],
    ["https://192.168.1.1/hook", "PRIVATE_ADDRESS"],
    ["https://169.254.169.254/latest/meta-data", "PRIVATE_ADDRESS"], // cloud metadata
    ["https://100.64.0.1/hook", "PRIVATE_ADDRESS"],
    ["https://224.0.0.1/hook", "PRIVATE_ADDRESS"],
    ["https://[::1]/hook", "PRIVATE_ADDRESS"],
    ["https://[::]/hook", "PRIVATE_ADDRESS"],
    ["https://[fc00::1]/hook", "PRIVATE_ADDRESS"],
    ["https://[fd12:3456::1]/hook", "PRIVATE_ADDRESS"],
    ["https://[fe80::1]/hook", "PRIVATE_ADDRESS"],
    ["https://[::ffff:127.0.0.1]/hook", "PRIVATE_ADDRESS"],
    ["https://[::ffff:a9fe:a9fe]/hook", "PRIVATE_ADDRESS"], // 169.254.169.254, IPv4-mapped
    ["https://[64:ff9b::a00:1]/hook", "PRIVATE_ADDRESS"], // 10.0.0.1 through NAT64
  ])("%s → %s", (url, error) => {
    expect(checkEndpointUrl(url, strict)).toEqual({ ok: false, error });
  });

  it.each(["https://shop.example.com/hooks/refunds", "https://93.184.216.34/hook", "https://[2606:4700::1111]/hook"])(
    "accepts %s",
    (url) => {
      expect(checkEndpointUrl(url, strict).ok).toBe(true);
    },
  );

  it("allows plain http and private addresses only with WEBHOOKS_ALLOW_PRIVATE", () => {
    expect(checkEndpointUrl("http://127.0.0.1:4190/_sim/robots", { allowPrivate: true }).ok).toBe(true);
  });

  it.each([
    ["8.8.8.8", false],
    ["2001:4860:4860::8888", false],
    ["::ffff:8.8.8.8", false],
    ["127.0.0.1", true],
    ["::1", true],
    ["fd00::1", true],
    ["not-an-ip", true],
  ])("address %s forbidden: %s", (address, forbidden) => {
    expect(isForbiddenAddress(address)).toBe(forbidden);
  });
});

describe("addresses checked when delivering", () => {
  const shop = new WebhookReceiver();
  const elsewhere = new WebhookReceiver();
  let shopUrl: URL;
  let elsewhereUrl: string;
  beforeAll(async () => {
    shopUrl = new URL(await shop.start());
    elsewhereUrl = await elsewhere.start();
  });
  afterAll(async () => {
    await shop.stop();
    await elsewhere.stop();
  });

  const post = (url: string, resolver: Resolver, allowPrivate = false) =>
    postOutside(url, { "content-type": "application/json" }, "{}", {
      policy: { allowPrivate },
      resolver,
      timeoutMs: 2_000,
    });
  const to =
    (...addresses: string[]): Resolver =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

  it.each([
    ["a name resolving to 127.0.0.1", to("127.0.0.1")],
    ["a name resolving to ::1", to("::1")],
    ["a name resolving to 10.0.0.5", to("10.0.0.5")],
    ["a name with one public and one private address", to("93.184.216.34", "192.168.0.10")],
    ["a name resolving to an IPv4-mapped loopback", to("::ffff:127.0.0.1")],
  ])("refuses %s without connecting", async (_, resolver) => {
    const before = shop.received.length;
    const outcome = await post(`https://shop.example.com:${shopUrl.port}/hooks`, resolver);
    expect(outcome).toMatchObject({ status: null, error: "PRIVATE_ADDRESS" });
    expect(shop.received.length).toBe(before);
  });

  it("resolves at every delivery: a name that rebinds to 127.0.0.1 after it was saved is refused then", async () => {
    // The first answer is public (the URL was accepted when saved); the name server then answers 127.0.0.1.
    const answers = ["93.184.216.34", "127.0.0.1"];
    const rebinding: Resolver = async () => [{ address: answers.shift() ?? "127.0.0.1", family: 4 }];
    expect(checkEndpointUrl(`https://rebind.example.com:${shopUrl.port}/hooks`, strict).ok).toBe(true);
    await rebinding("rebind.example.com"); // the look-up made when it was saved
    expect(await post(`https://rebind.example.com:${shopUrl.port}/hooks`, rebinding)).toMatchObject({
      error: "PRIVATE_ADDRESS",
    });
  });

  it("connects to the address it checked, not to a second look-up", async () => {
    // `shop.test` exists only in this resolver: reaching the receiver proves the checked address was used.
    let lookups = 0;
    const once: Resolver = async () => {
      lookups += 1;
      return [{ address: "127.0.0.1", family: 4 }];
    };
    const outcome = await post(`http://shop.test:${shopUrl.port}/hooks`, once, true);
    expect(outcome).toMatchObject({ status: 204, error: null });
    expect(lookups).toBe(1);
    expect(shop.received.at(-1)!.headers.host).toBe(`shop.test:${shopUrl.port}`);
  });

  it("does not follow redirects", async () => {
    shop.redirectTo = elsewhereUrl;
    try {
      const outcome = await post(shopUrl.toString(), to("127.0.0.1"), true);
      expect(outcome).toMatchObject({ status: 307, error: "REDIRECT_NOT_FOLLOWED" });
      expect(elsewhere.received).toHaveLength(0);
    } finally {
      shop.redirectTo = null;
    }
  });

  it("gives up after the timeout", async () => {
    const { createServer } = await import("node:http");
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const outcome = await postOutside(`http://127.0.0.1:${port}/`, {}, "{}", {
        policy: { allowPrivate: true },
        resolver: to("127.0.0.1"),
        timeoutMs: 300,
      });
      expect(outcome.error).toBe("TIMEOUT");
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
