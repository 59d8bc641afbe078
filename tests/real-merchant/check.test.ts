import { generateKeyPairSync, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkWechatPayConfiguration, notifyUrlFinding, type CheckCode } from "@/lib/wechatpay/check";
import { loadMerchantCredentialsFromEnv } from "@/lib/wechatpay/config";
import { realMerchant, type RealMerchant } from "@/tests/fixtures/real-merchant";
import { translate } from "../../lib/translate";

const NOTIFY_URL = "https://refunds.shop.example/api/notify/refund";
const pem = (
  key: ReturnType<typeof generateKeyPairSync>["privateKey"] | ReturnType<typeof generateKeyPairSync>["publicKey"],
  type: "pkcs8" | "spki",
) => key.export({ type, format: "pem" } as never).toString();

/**
 * `npm run wechatpay:check` and the "Test connection" button: each wrong configuration a merchant can make is named
 * precisely, against the stub written from WeChat's documentation.
 */
describe("checking a merchant's WeChat Pay configuration", () => {
  let publicKeyMode: RealMerchant;
  let switching: RealMerchant;
  beforeAll(async () => {
    publicKeyMode = await realMerchant({ mode: "publicKey" });
    switching = await realMerchant({ mode: "switching" });
  });
  afterAll(async () => {
    await publicKeyMode.stub.close();
    await switching.stub.close();
  });

  const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const cases: {
    name: string;
    merchant: () => RealMerchant;
    env?: Record<string, string>;
    notifyUrl?: string;
    clockOffsetMs?: number;
    expected: CheckCode[];
  }[] = [
    { name: "a correct configuration", merchant: () => publicKeyMode, expected: ["CONNECTED"] },
    { name: "a correct configuration in WeChat's switch period", merchant: () => switching, expected: ["CONNECTED"] },
    {
      name: "a private key that is not the serial number's",
      merchant: () => publicKeyMode,
      env: { WECHATPAY_MERCHANT_PRIVATE_KEY: pem(otherKey.privateKey, "pkcs8") },
      expected: ["SIGNATURE_REJECTED"],
    },
    {
      name: "a serial number of another certificate",
      merchant: () => publicKeyMode,
      env: { WECHATPAY_MERCHANT_SERIAL_NO: randomBytes(20).toString("hex").toUpperCase() },
      expected: ["SIGNATURE_REJECTED"],
    },
    {
      name: "a merchant ID that does not go with the serial number",
      merchant: () => publicKeyMode,
      env: { WECHATPAY_MCHID: "1234567890" },
      expected: ["SIGNATURE_REJECTED"],
    },
    {
      name: "an APIv3 key of 32 bytes that is not the merchant's",
      merchant: () => publicKeyMode,
      env: { WECHATPAY_APIV3_KEY: randomBytes(16).toString("hex") },
      expected: ["APIV3_KEY_WRONG"],
    },
    {
      name: "a public key id WeChat does not use",
      merchant: () => publicKeyMode,
      env: { WECHATPAY_PUBLIC_KEY_ID: "PUB_KEY_ID_0000000000000000000000000000" },
      expected: ["PUBLIC_KEY_ID_UNKNOWN"],
    },
    {
      name: "a public key file that is not the id's",
      merchant: () => publicKeyMode,
      env: { WECHATPAY_PUBLIC_KEY: pem(otherKey.publicKey, "spki") },
      expected: ["PUBLIC_KEY_WRONG"],
    },
    {
      name: "a clock ten minutes fast",
      merchant: () => publicKeyMode,
      clockOffsetMs: 10 * 60_000,
      expected: ["CLOCK_SKEW"],
    },
    {
      name: "a base URL nothing answers at",
      merchant: () => publicKeyMode,
      env: { WECHATPAY_BASE_URL: "http://127.0.0.1:1" },
      expected: ["BASE_URL_UNREACHABLE"],
    },
    {
      name: "an incomplete APIv3 configuration",
      merchant: () => publicKeyMode,
      env: { WECHATPAY_APIV3_KEY: "" },
      expected: ["CONFIG"],
    },
    {
      name: "a notify URL over plain http",
      merchant: () => publicKeyMode,
      notifyUrl: "http://shop.example.com/api/notify/refund",
      expected: ["NOTIFY_URL"],
    },
    {
      name: "a notify URL with a query string",
      merchant: () => publicKeyMode,
      notifyUrl: "https://shop.example.com/api/notify/refund?shop=1",
      expected: ["NOTIFY_URL"],
    },
  ];

  it.each(cases)("names $name: $expected", async ({ merchant, env, notifyUrl, clockOffsetMs, expected }) => {
    const credentials = loadMerchantCredentialsFromEnv({ ...merchant().env, ...env });
    if (!credentials.ok || !credentials.value) throw new Error("unloadable test configuration");
    const report = await checkWechatPayConfiguration({
      credentials: credentials.value,
      apiVersion: "v3",
      notifyUrl: notifyUrl ?? NOTIFY_URL,
      now: () => Date.now() + (clockOffsetMs ?? 0),
      timeoutMs: 3_000,
    });
    expect(report.findings.map((f) => f.code)).toEqual(expected);
    expect(report.ok).toBe(expected[0] === "CONNECTED");
    for (const finding of report.findings) {
      expect(translate(finding.message, "zh-CN")).toMatch(/[\u4e00-\u9fff]/);
      expect(translate(finding.message, "en")).toMatch(/[A-Za-z]/);
    }
  });

  it("refuses a notify URL on this machine when the gateway is WeChat Pay, not a local simulator", () => {
    expect(notifyUrlFinding("http://localhost:3000/api/notify/refund", "https://api.mch.weixin.qq.com")).toMatchObject({
      code: "NOTIFY_URL",
    });
    expect(notifyUrlFinding("http://localhost:3000/api/notify/refund", "http://127.0.0.1:4010")).toBeUndefined();
    expect(notifyUrlFinding(NOTIFY_URL, "https://api.mch.weixin.qq.com")).toBeUndefined();
  });
});
