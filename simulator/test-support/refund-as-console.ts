/**
 * Test helper run as its own process, as the console's Next.js process is: NODE_EXTRA_CA_CERTS is read only when a
 * process starts, so trusting the demo CA can only be proven in a fresh one. Takes the console's environment, refunds
 * once with the console's gateway (unless only a query is asked for) (the APIv3 merchant of WECHATPAY_*, or an APIv2 merchant's stored credentials given
 * as JSON), queries the refund, and prints both results as JSON.
 */
import type { RefundSubmission } from "../../lib/refunds/gateway";
import {
  loadMerchantCredentialsFromEnv,
  loadMerchantCredentialsFromStored,
  type StoredSecrets,
} from "../../lib/wechatpay/config";
import { createRefundGateway } from "../../lib/wechatpay/gateway";

interface Input {
  v2?: { mchid: string; appid: string; secrets: StoredSecrets };
  /** Without it, only the query of `outRefundNo`. */
  submission?: RefundSubmission;
  outRefundNo?: string;
}

const input = JSON.parse(process.argv[2] ?? "{}") as Input;
const credentials = input.v2
  ? loadMerchantCredentialsFromStored(
      {
        merchant: { mchid: input.v2.mchid, appid: input.v2.appid, subMchid: null },
        merchantSerialNo: null,
        publicKeyId: null,
        publicKeyPem: null,
        secrets: input.v2.secrets,
      },
      process.env,
    )
  : loadMerchantCredentialsFromEnv(process.env);
if (!credentials.ok || !credentials.value) throw new Error("credentials do not load");
const wired = createRefundGateway(credentials.value, input.v2 ? "v2" : "v3");
if (!wired.ok) throw new Error(wired.error.detail);
const applied = input.submission ? await wired.value.gateway.apply(input.submission) : undefined;
const queried = await wired.value.gateway.query(input.submission?.outRefundNo ?? input.outRefundNo ?? "");
process.stdout.write(`${JSON.stringify({ applied, queried })}\n`);
