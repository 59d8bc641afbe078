/**
 * 申请交易账单 `GET /v3/bill/tradebill` and 下载账单 `GET /v3/billdownload/file`, written from WeChat Pay's documentation
 * (下载交易账单: 交易账单格式说明), not from `lib/` or `simulator/`: the ALL bill is a header line, one line per payment
 * (交易状态 SUCCESS) and refund (REFUND), every value prefixed by a backtick, then the summary header and its line;
 * the answer to tradebill states the SHA1 of the file (uncompressed) and a download_url on the same host.
 */
import { createHash, randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";

/** A payment made at WeChat Pay, as the stub's test registers it. */
export interface StubBillPayment {
  out_trade_no: string;
  transaction_id: string;
  openid: string;
  /** In fen. */
  total: number;
  /** Beijing time, `yyyy-MM-dd HH:mm:ss`. */
  success_time: string;
  description: string;
}

// 交易账单 ALL 的字段 (免充值券结算商户, the documented sample), in WeChat's order.
const HEADER =
  "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注";
const SUMMARY_HEADER = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";

/** Yuan with two decimals, written from fen by string arithmetic; fees get WeChat's three padding zeros. */
const yuan = (fen: number) => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
const fee = (fen: number) => `${yuan(fen)}000`;
const marked = (values: string[]) => values.map((v) => `\`${v}`).join(",");

/** The ALL bill of a day, or null when there is no line (WeChat then answers NO_STATEMENT_EXIST). */
export function allBill(mchid: string, payments: StubBillPayment[], billDate: string): string | null {
  const lines = payments.filter((p) => p.success_time.startsWith(billDate));
  if (lines.length === 0) return null;
  const feeOf = (p: StubBillPayment) => Math.round((p.total * 6) / 1000);
  const rows = lines.map((p) =>
    marked([
      p.success_time,
      "wx2421b1c4370ec43b",
      mchid,
      "0",
      "",
      p.transaction_id,
      p.out_trade_no,
      p.openid,
      "JSAPI",
      "SUCCESS",
      "OTHERS",
      "CNY",
      yuan(p.total),
      "0.00",
      "0",
      "0",
      "0.00",
      "0.00",
      "",
      "",
      p.description,
      "",
      fee(feeOf(p)),
      "0.60%",
      yuan(p.total),
      "0.00",
      "",
    ]),
  );
  const total = lines.reduce((s, p) => s + p.total, 0);
  const fees = lines.reduce((s, p) => s + feeOf(p), 0);
  const summary = marked([String(lines.length), yuan(total), "0.00", "0.00", fee(fees), yuan(total), "0.00"]);
  return [HEADER, ...rows, SUMMARY_HEADER, summary, ""].join("\r\n");
}

/** Files behind download tokens. */
export class BillFiles {
  private readonly files = new Map<string, Buffer>();

  /** The tradebill answer for a bill: its SHA1 and where to fetch it (gzipped when asked). */
  offer(baseUrl: string, text: string, gzip: boolean): Record<string, string> {
    const token = randomBytes(16).toString("hex");
    const plain = Buffer.from(text, "utf8");
    this.files.set(token, gzip ? gzipSync(plain) : plain);
    return {
      hash_type: "SHA1",
      hash_value: createHash("sha1").update(plain).digest("hex"),
      download_url: `${baseUrl}/v3/billdownload/file?token=${token}`,
    };
  }

  take(token: string): Buffer | undefined {
    return this.files.get(token);
  }
}
