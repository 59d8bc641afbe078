/**
 * One HTTPS POST of an APIv2 XML body, optionally with the merchant's client certificate (mutual TLS), turned
 * into a Result whose error says whether the request may have reached WeChat.
 */
import type { ClientRequest } from "node:http";
import { request } from "node:https";
import type { TLSSocket } from "node:tls";
import { err, ok, type Result } from "../../result";
import { wechatPayError, type WechatPayError } from "../errors";
import { MAX_XML_BYTES } from "./xml";

export interface PostXmlOptions {
  /** PKCS#12 bundle (apiclient_cert.p12) presented as the client certificate. */
  pfx?: Buffer;
  passphrase?: string;
  /** Extra trust anchors, for tests against a local TLS server only; production uses the system CAs. */
  ca?: string | Buffer;
  /** Whole-exchange deadline: connect, send, and read the answer. */
  timeoutMs: number;
  /** Largest answer accepted; default MAX_XML_BYTES (a bill file is larger). */
  maxBytes?: number;
}

export interface RawAnswer {
  status: number;
  body: Buffer;
}

/** POSTs `body` to `url`. Never rejects; every failure is a typed error with retry advice. */
export function postXml(
  url: string,
  body: string,
  options: PostXmlOptions,
): Promise<Result<RawAnswer, WechatPayError>> {
  return new Promise((resolve) => {
    let settled = false;
    // Once TLS is up, the request bytes follow immediately, so a failure after this point may have
    // reached WeChat ("unknown"); before it, nothing was sent ("retry").
    let handshakeDone = false;

    const finish = (result: Result<RawAnswer, WechatPayError>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };

    let req: ClientRequest;
    try {
      req = request(url, {
        method: "POST",
        // A fresh connection per call: no socket reused across merchants' certificates, and no stale
        // keep-alive socket turning into a spurious "reset after send".
        agent: false,
        pfx: options.pfx,
        passphrase: options.passphrase,
        ca: options.ca,
        headers: { "Content-Type": "text/xml; charset=utf-8", "Content-Length": Buffer.byteLength(body, "utf8") },
      });
    } catch (e) {
      // Thrown synchronously for an unusable URL or TLS option: nothing left the process.
      resolve(err(wechatPayError("config", "CONFIG_INVALID", e instanceof Error ? e.message : String(e))));
      return;
    }

    const timer = setTimeout(() => {
      finish(err(wechatPayError("network", "TIMEOUT", `no complete answer within ${options.timeoutMs} ms`)));
      req.destroy();
    }, options.timeoutMs);

    req.on("socket", (socket) => {
      (socket as TLSSocket).once("secureConnect", () => {
        handshakeDone = true;
      });
    });

    req.on("error", (e: NodeJS.ErrnoException) => {
      const detail = `${e.code ?? "ERROR"}: ${e.message}`;
      finish(err(wechatPayError("network", handshakeDone ? "CONNECTION_RESET" : "CONNECTION_FAILED", detail)));
    });

    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        const limit = options.maxBytes ?? MAX_XML_BYTES;
        if (size > limit) {
          finish(err(wechatPayError("malformed", "UNEXPECTED_RESPONSE", `answer larger than ${limit} bytes`)));
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on("end", () => finish(ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) })));
      // The connection dropped in the middle of the answer: WeChat got the request.
      res.on("error", (e) => {
        finish(err(wechatPayError("network", "CONNECTION_RESET", `answer cut off: ${e.message}`)));
      });
      res.on("close", () => {
        if (!res.complete) finish(err(wechatPayError("network", "CONNECTION_RESET", "answer cut off")));
      });
    });

    req.end(body);
  });
}
