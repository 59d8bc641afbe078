/**
 * A bill file read as a stream: gunzip (when the bytes are gzip) → UTF-8 → lines → records, each handed to `onLine`
 * before the next chunk is read, so a day of a million lines takes the memory of one chunk and one batch. The digest
 * WeChat stated (APIv3) and the summary's line count are only known at the end: a caller that writes as it reads does
 * so in a transaction it rolls back when the answer is an error.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { err, ok, type Result } from "../result";
import { BillReader, billInvalid, MAX_BILL_LINE_CHARS, type BillSummary } from "./bill-reader";
import { billHasher, hashMismatch } from "./bill-file";
import type { WechatPayError } from "./errors";

export interface BillStreamOptions {
  /** A column the header must have (which bill this is). */
  requiredColumn: string;
  /** APIv3's stated digest of the uncompressed file. */
  expected?: { hashType: string; hashValue: string };
  /** Called for every data line in order; its promise is awaited before reading on. */
  onLine: (
    lineNo: number,
    raw: Record<string, string>,
  ) => Promise<Result<void, WechatPayError>> | Result<void, WechatPayError>;
}

/** The bytes, gunzipped when they start with gzip's magic number. */
async function* plainChunks(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  async function* all(): AsyncGenerator<Uint8Array> {
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  const head = first.value;
  if (!(head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)) {
    yield* all();
    return;
  }
  const gunzip = createGunzip();
  const piped = pipeline(Readable.from(all()), gunzip);
  piped.catch(() => undefined); // the same error surfaces from iterating gunzip
  for await (const chunk of gunzip) yield chunk as Buffer;
  await piped;
}

const failure = (error: unknown) => billInvalid(`gzip: ${error instanceof Error ? error.message : String(error)}`);

export async function readBillStream(
  source: AsyncIterable<Uint8Array>,
  options: BillStreamOptions,
): Promise<Result<BillSummary, WechatPayError>> {
  const reader = new BillReader(options.requiredColumn);
  const hasher = options.expected ? billHasher(options.expected.hashType) : null;
  if (hasher && !hasher.ok) return hasher;
  const digest = hasher?.value ?? null;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let pending = "";

  const take = async (line: string): Promise<Result<void, WechatPayError>> => {
    const read = reader.line(line);
    if (!read.ok) return read;
    return read.value ? options.onLine(read.value.lineNo, read.value.raw) : ok(undefined);
  };

  try {
    for await (const chunk of plainChunks(source)) {
      digest?.update(chunk);
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        return err(billInvalid("bill is not UTF-8"));
      }
      const parts = (pending + text).split("\n");
      pending = parts.pop() ?? "";
      if (pending.length > MAX_BILL_LINE_CHARS) return err(billInvalid(`a line is longer than ${MAX_BILL_LINE_CHARS}`));
      for (const part of parts) {
        const taken = await take(part);
        if (!taken.ok) return taken;
      }
    }
  } catch (error) {
    if (error instanceof Error && "code" in error && String(error.code).startsWith("Z_")) return err(failure(error));
    throw error;
  }
  const last = await take(pending);
  if (!last.ok) return last;
  if (options.expected && digest) {
    const actual = digest.digest("hex");
    if (actual !== options.expected.hashValue.toLowerCase()) {
      return err(hashMismatch(options.expected.hashType, actual, options.expected.hashValue));
    }
  }
  return reader.finish();
}

/** Downloaded bytes as a stream of 64 KiB views (no copy), so that gunzip works on them a piece at a time. */
export async function* byteChunks(bytes: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}
