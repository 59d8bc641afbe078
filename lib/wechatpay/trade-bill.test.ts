import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { BILL_COLUMNS, BILL_SUMMARY_COLUMNS } from "./bill-file";
import { readBillStream } from "./bill-stream";
import { TRADE_BILL_KEY_COLUMN, tradeBillPayment, type TradeBillPayment } from "./trade-bill";

// WeChat's documented ALL bill (下载对账单, bill_type=ALL, respdata of the sample answer), verbatim: the header, a
// payment line with every value backtick-prefixed and the fee padded to five decimals, the summary header and values.
const DOC_HEADER =
  "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
const DOC_PAYMENT =
  "`2022-03-21 13:51:31,`wxfdc955f7104ad557,`180023671,`176531292,`,`420000612032130748613220688,`2021WERUN1647840687637,`oZWaCKXip5njeEiloC4oeOV1TTsk,`JSAPI,`SUCCESS,`OTHERS,`CNY,`0.01,`0.00,`0,`0,`0.00,`0.00,`,`,`微信云托管支付测试,`,`0.00000,`0.90%,`0.01,`0.00,`";
const DOC_SUMMARY_HEADER =
  "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";
const DOC_SUMMARY = "`12,`0.06,`0.06,`0.00,`0.00000,`0.06,`0.06";

// A refund line in the same documented shape: 交易状态 REFUND, the payment's ids and amounts, the refund's own.
const REFUND_LINE =
  "`2022-03-21 15:02:11,`wxfdc955f7104ad557,`180023671,`176531292,`,`420000612032130748613220001,`2021WERUN0001,`oZWaCKXip5njeEiloC4oeOV1TTsk,`JSAPI,`REFUND,`OTHERS,`CNY,`12.50,`0.00,`50300001234567,`R-0001,`2.50,`0.00,`ORIGINAL,`SUCCESS,`咖啡,`,`-0.02000,`0.90%,`12.50,`2.50,`";
const REVOKED_LINE = DOC_PAYMENT.replace("`SUCCESS", "`REVOKED").replace("2021WERUN1647840687637", "REVOKED-1");

const bill = (lines: string[], count: number) =>
  [DOC_HEADER, ...lines, DOC_SUMMARY_HEADER, DOC_SUMMARY.replace("`12", `\`${count}`), ""].join("\r\n");

async function read(text: string | Uint8Array, expected?: { hashType: string; hashValue: string }, chunk = 7) {
  const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : Buffer.from(text);
  // Small chunks: a line, a character (3 bytes in UTF-8) and the gzip header all split across reads.
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  const payments: (TradeBillPayment | null)[] = [];
  const result = await readBillStream(chunks(), {
    requiredColumn: TRADE_BILL_KEY_COLUMN,
    expected,
    onLine: (lineNo, raw) => {
      const payment = tradeBillPayment(lineNo, raw);
      if (!payment.ok) return payment;
      payments.push(payment.value);
      return { ok: true, value: undefined };
    },
  });
  return { result, payments };
}

describe("the ALL trade bill", () => {
  it("has WeChat's documented columns", () => {
    expect(BILL_COLUMNS.join(",")).toBe(DOC_HEADER);
    expect(BILL_SUMMARY_COLUMNS.join(",")).toBe(DOC_SUMMARY_HEADER);
  });

  it("reads the documented payment line: backticks removed, yuan in fen, 交易时间 in Beijing time", async () => {
    const { result, payments } = await read(bill([DOC_PAYMENT], 1));
    expect(result).toEqual({ ok: true, value: expect.objectContaining({ lineCount: 1 }) });
    expect(payments).toEqual([
      {
        lineNo: 1,
        state: "SUCCESS",
        time: new Date("2022-03-21T05:51:31Z"),
        outTradeNo: "2021WERUN1647840687637",
        transactionId: "420000612032130748613220688",
        payerOpenid: "oZWaCKXip5njeEiloC4oeOV1TTsk",
        totalFen: 1,
        currency: "CNY",
        description: "微信云托管支付测试",
      },
    ]);
  });

  it("reads a refund line as its payment, and leaves a revoked payment out", async () => {
    const { result, payments } = await read(bill([DOC_PAYMENT, REFUND_LINE, REVOKED_LINE], 3));
    expect(result.ok).toBe(true);
    expect(payments[1]).toMatchObject({ state: "REFUND", outTradeNo: "2021WERUN0001", totalFen: 1250 });
    expect(payments[2]).toBeNull();
  });

  it("refuses the documented sample as printed: its summary counts 12 lines, it shows one", async () => {
    const { result } = await read([DOC_HEADER, DOC_PAYMENT, DOC_SUMMARY_HEADER, DOC_SUMMARY].join("\n"));
    expect(result).toMatchObject({ ok: false, error: { code: "BILL_INVALID", detail: expect.stringContaining("12") } });
  });

  it("gunzips a GZIP bill and checks the SHA1 of the uncompressed file", async () => {
    const text = `\uFEFF${bill([DOC_PAYMENT, REFUND_LINE], 2)}`;
    const hashValue = createHash("sha1").update(text, "utf8").digest("hex");
    const good = await read(gzipSync(text), { hashType: "SHA1", hashValue: hashValue.toUpperCase() });
    expect(good.result).toMatchObject({ ok: true, value: { lineCount: 2 } });
    expect(good.payments).toHaveLength(2);
    const altered = await read(gzipSync(text.replace("0.01", "0.02")), { hashType: "SHA1", hashValue });
    expect(altered.result).toMatchObject({ ok: false, error: { code: "BILL_HASH_MISMATCH" } });
  });

  it.each([
    ["a truncated gzip file", gzipSync(bill([DOC_PAYMENT], 1)).subarray(0, 60), "BILL_INVALID"],
    ["no summary", [DOC_HEADER, DOC_PAYMENT].join("\n"), "BILL_INVALID"],
    ["a line without 商户订单号", bill([DOC_PAYMENT.replace("`2021WERUN1647840687637", "`")], 1), "BILL_INVALID"],
    [
      "a 交易时间 that is not a time",
      bill([DOC_PAYMENT.replace("`2022-03-21 13:51:31", "`yesterday")], 1),
      "BILL_INVALID",
    ],
    [
      "an 订单金额 with a third decimal",
      bill([DOC_PAYMENT.replace("`0.90%,`0.01", "`0.90%,`0.011")], 1),
      "BILL_INVALID",
    ],
    ["not UTF-8", Buffer.concat([Buffer.from(DOC_HEADER + "\n"), Buffer.from([0xff, 0xfe, 0x0a])]), "BILL_INVALID"],
  ])("refuses %s", async (_, input, code) => {
    const { result } = await read(input);
    expect(result).toMatchObject({ ok: false, error: { code } });
  });
});
