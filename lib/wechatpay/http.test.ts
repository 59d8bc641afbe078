import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeCode } from "./errors";
import { networkError, sendHttp, USER_AGENT } from "./http";

const fetchFailed = (cause: unknown) => Object.assign(new TypeError("fetch failed"), { cause });
const sysError = (code: string) => Object.assign(new Error(code), { code });

describe("networkError", () => {
  it.each([
    ["AbortSignal.timeout", "TIMEOUT", "unknown", Object.assign(new Error("timeout"), { name: "TimeoutError" })],
    ["an abort", "TIMEOUT", "unknown", Object.assign(new Error("aborted"), { name: "AbortError" })],
    ["ECONNREFUSED", "CONNECTION_FAILED", "retry", fetchFailed(sysError("ECONNREFUSED"))],
    ["ENOTFOUND", "CONNECTION_FAILED", "retry", fetchFailed(sysError("ENOTFOUND"))],
    [
      "refused on every address (AggregateError)",
      "CONNECTION_FAILED",
      "retry",
      fetchFailed(
        Object.assign(new AggregateError([sysError("ECONNREFUSED"), sysError("ECONNREFUSED")]), {
          code: "ECONNREFUSED",
        }),
      ),
    ],
    ["an expired TLS certificate", "CONNECTION_FAILED", "retry", fetchFailed(sysError("CERT_HAS_EXPIRED"))],
    ["ECONNRESET", "CONNECTION_RESET", "unknown", fetchFailed(sysError("ECONNRESET"))],
    ["undici 'other side closed'", "CONNECTION_RESET", "unknown", fetchFailed(sysError("UND_ERR_SOCKET"))],
    ["socket hang up", "CONNECTION_RESET", "unknown", fetchFailed(new Error("socket hang up"))],
    [
      "refused, then reset",
      "CONNECTION_RESET",
      "unknown",
      fetchFailed(Object.assign(new AggregateError([sysError("ECONNREFUSED"), sysError("ECONNRESET")]))),
    ],
    ["something never seen", "CONNECTION_RESET", "unknown", "a string"],
  ])("%s → %s (%s)", (_name, code, advice, error) => {
    expect(networkError(error)).toMatchObject({ kind: "network", code, advice });
  });
});

describe("sendHttp", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/bom") return void res.end(Buffer.from("\uFEFF{}", "utf8"));
      if (req.url === "/latin1") return void res.end(Buffer.from([0x7b, 0xe9, 0x7d]));
      if (req.url === "/declared-large")
        return void res.writeHead(200, { "Content-Length": "5000" }).end("x".repeat(5000));
      // Headers and half the declared body, then nothing.
      if (req.url === "/stalled-body") return void res.writeHead(200, { "Content-Length": "10" }).write("12345");
      if (req.url === "/chunked-large") {
        res.writeHead(200);
        for (let i = 0; i < 10; i++) res.write("x".repeat(1000));
        return void res.end();
      }
      res.end(JSON.stringify({ ua: req.headers["user-agent"], accept: req.headers.accept }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("sends its User-Agent with the caller's headers", async () => {
    const result = await sendHttp({ method: "GET", url: `${base}/`, headers: { Accept: "application/json" } });
    expect(result.ok && JSON.parse(result.value.body)).toEqual({ ua: USER_AGENT, accept: "application/json" });
  });

  it("keeps a BOM, so a signature is checked over exactly what was sent", async () => {
    const result = await sendHttp({ method: "GET", url: `${base}/bom`, headers: {} });
    expect(result.ok && result.value.body).toBe("\uFEFF{}");
  });

  it("refuses a body that is not UTF-8", async () => {
    expect(await sendHttp({ method: "GET", url: `${base}/latin1`, headers: {} })).toMatchObject({
      ok: false,
      error: { code: "UNEXPECTED_RESPONSE" },
    });
  });

  it.each(["/declared-large", "/chunked-large"])("refuses %s beyond the size limit", async (url) => {
    expect(await sendHttp({ method: "GET", url: `${base}${url}`, headers: {}, maxResponseBytes: 4096 })).toMatchObject({
      ok: false,
      error: { code: "BODY_TOO_LARGE", httpStatus: 200 },
    });
  });

  it("times out on a body that stops coming: the timeout covers the whole exchange", async () => {
    const result = await sendHttp({ method: "GET", url: `${base}/stalled-body`, headers: {}, timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, error: { code: "TIMEOUT", advice: "unknown" } });
  });
});

describe("every error code this library emits has an entry in the CODES table", () => {
  const sources = [
    ...readdirSync(new URL("./v3/", import.meta.url)).map((f) => `./v3/${f}`),
    "./config.ts",
    "./http.ts",
  ].filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
  const codes = new Set(
    sources.flatMap((f) =>
      [
        ...readFileSync(new URL(f, import.meta.url), "utf8").matchAll(
          /(?:wechatPayError\(\s*"[a-z]+",\s*|verificationError\(\s*)"([A-Z0-9_]+)"/g,
        ),
      ].map((m) => m[1]!),
    ),
  );
  const unknown = describeCode("__NO_SUCH_CODE__");

  it("finds the codes", () => {
    expect(codes.size).toBeGreaterThanOrEqual(20);
  });

  it.each([...codes])("%s", (code) => {
    expect(describeCode(code)).not.toBe(unknown);
  });
});
