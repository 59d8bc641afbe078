import { randomBytes } from "node:crypto";

/** WeChat's download_url stays valid for a short while; long enough for a client to fetch it at once. */
const DOWNLOAD_VALID_MS = 5 * 60_000;

interface BillFile {
  mchid: string;
  bytes: Uint8Array;
  gzip: boolean;
  expiresAt: number;
}

/** Files behind download tokens, in memory only: a restart invalidates them, as an expiry would. */
export class BillDownloads {
  private readonly files = new Map<string, BillFile>();

  put(file: Omit<BillFile, "expiresAt">, now: number): string {
    for (const [token, f] of this.files) if (f.expiresAt <= now) this.files.delete(token);
    const token = randomBytes(24).toString("base64url");
    this.files.set(token, { ...file, expiresAt: now + DOWNLOAD_VALID_MS });
    return token;
  }

  find(token: string, mchid: string, now: number): BillFile | undefined {
    const file = this.files.get(token);
    return file && file.mchid === mchid && file.expiresAt > now ? file : undefined;
  }

  clear(): void {
    this.files.clear();
  }
}
