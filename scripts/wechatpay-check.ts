/**
 * `npm run wechatpay:check`: before the first refund, check the WeChat Pay configuration in WECHATPAY_* (and the
 * notify URL from REFUND_NOTIFY_URL or APP_URL) with one signed, harmless call, and say in Chinese and English which
 * part is wrong. Exit code 0 when everything works, 1 when something is wrong, 2 when nothing is configured.
 */
import { loadMerchantCredentialsFromEnv } from "../lib/wechatpay/config";
import { checkWechatPayConfiguration } from "../lib/wechatpay/check";
import { refundNotifyUrlFrom } from "../lib/wechatpay/notify-url";
import { translate } from "../lib/translate";

const env = process.env;
const credentials = loadMerchantCredentialsFromEnv(env);
if (!credentials.ok) {
  console.error(`✗ CONFIG  ${credentials.error.detail}`);
  process.exit(1);
}
if (!credentials.value) {
  console.error(
    "WECHATPAY_MCHID is not set: the console runs with the demo merchant and the bundled simulator. See README.md, Configuration.",
  );
  process.exit(2);
}
const apiVersion = env.WECHATPAY_API_VERSION === "v2" ? "v2" : "v3";
const notifyUrl = refundNotifyUrlFrom({
  REFUND_NOTIFY_URL: env.REFUND_NOTIFY_URL,
  APP_URL: env.APP_URL ?? `http://localhost:${env.PORT ?? 3000}`,
});
console.log(
  `Checking merchant ${credentials.value.mchid} (${apiVersion}) at ${credentials.value.baseUrl}, notify URL ${notifyUrl}\n`,
);

const report = await checkWechatPayConfiguration({ credentials: credentials.value, apiVersion, notifyUrl });
for (const finding of report.findings) {
  console.log(`${finding.ok ? "✓" : "✗"} ${finding.code}`);
  console.log(`  ${translate(finding.message, "en")}`);
  console.log(`  ${translate(finding.message, "zh-CN")}`);
  if (finding.detail) console.log(`  (${finding.detail})`);
}
process.exit(report.ok ? 0 : 1);
