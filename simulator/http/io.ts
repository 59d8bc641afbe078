/** What the protocol handlers see of a request and give back, independent of node:http. */
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import type { Fault } from "../state/schema";

export interface ApiRequest {
  method: string;
  /** Path without the query. */
  path: string;
  /** Path and query exactly as received: what an APIv3 signature covers. */
  pathWithQuery: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** The client certificate, when the request came over TLS. */
  tls?: { authorized: boolean; commonName: string | undefined };
  /** Whether it came from this machine (the control API answers nobody else). */
  loopback: boolean;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  /** Bytes for files (a gzipped bill). */
  body: string | Uint8Array;
}

/** A protocol handler's result: the answer, how to (mis)deliver it, and what to log. */
export interface Handled {
  answer: Answer;
  fault?: Fault;
  mchid?: string;
  /** WeChat's code in the answer (SIGN_ERROR, NOTENOUGH…), for the request log. */
  code?: string;
}

/** WeChat's requests and answers are a few KiB; the simulator refuses bodies beyond this. */
const MAX_BODY_BYTES = 64 * 1024;

export class BodyTooLarge extends Error {}

export async function readRequest(req: IncomingMessage): Promise<ApiRequest> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  const pathWithQuery = req.url ?? "/";
  const url = new URL(pathWithQuery, "http://simulator.invalid");
  const socket = req.socket as Partial<TLSSocket>;
  let tls: ApiRequest["tls"];
  if (socket.encrypted && socket.getPeerCertificate) {
    const cn = socket.getPeerCertificate().subject?.CN;
    tls = { authorized: socket.authorized === true, commonName: Array.isArray(cn) ? cn.join(",") : cn };
  }
  const remote = req.socket.remoteAddress ?? "";
  return {
    method: req.method ?? "GET",
    path: url.pathname,
    pathWithQuery,
    query: url.searchParams,
    headers: req.headers,
    body: Buffer.concat(chunks).toString("utf8"),
    tls,
    loopback: remote === "127.0.0.1" || remote === "::1" || remote === "::ffff:127.0.0.1",
  };
}

export function json(status: number, payload: unknown, headers: Record<string, string> = {}): Answer {
  return {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(payload),
  };
}

/** One request header as a string (node:http already folds or drops repeated ones). */
export function header(req: ApiRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return typeof value === "string" ? value : undefined;
}
