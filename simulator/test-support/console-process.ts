import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { RefundSubmission } from "../../lib/refunds/gateway";
import type { StoredSecrets } from "../../lib/wechatpay/config";

const run = promisify(execFile);
const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ConsoleRefundResult {
  applied?: { ok: boolean; value?: { refundId: string; status: string }; error?: { code: string; detail: string } };
  queried: { ok: boolean; value?: { refundId: string; status: string }; error?: { code: string } };
}

/**
 * Refunds once as the console's own process would (refund-as-console.ts): a fresh Node process with only the
 * environment the demo hands the console, so NODE_EXTRA_CA_CERTS takes effect as it does for Next.js.
 */
export async function refundAsConsole(
  env: Record<string, string>,
  input: {
    v2?: { mchid: string; appid: string; secrets: StoredSecrets };
    submission?: RefundSubmission;
    outRefundNo?: string;
  },
): Promise<ConsoleRefundResult> {
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", "simulator/test-support/refund-as-console.ts", JSON.stringify(input)],
    { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", ...env } },
  );
  return JSON.parse(stdout) as ConsoleRefundResult;
}
