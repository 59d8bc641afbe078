/**
 * WeChat Pay APIv2's 查询订单 (`POST /pay/orderquery`) and 查询退款 (`POST /pay/refundquery`), written from the
 * documentation alone — XML with CDATA, MD5 签名 over the ASCII-sorted non-empty fields with `&key=` appended,
 * `return_code` / `result_code`, `err_code` ORDERNOTEXIST / REFUNDNOTEXIST, and the refunds of an order as `…_$n`
 * fields with `refund_count` — never from lib/wechatpay or the simulator. Served over HTTPS (a throw-away certificate
 * for the transport only); neither query needs the client certificate.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";

export interface V2StubMerchant {
  appid: string;
  mchid: string;
  apiKey: string;
}

export interface V2StubPayment {
  out_trade_no: string;
  transaction_id: string;
  trade_state: "SUCCESS" | "REFUND" | "NOTPAY" | "CLOSED";
  total_fee: number;
  openid: string;
  /** yyyyMMddHHmmss, Beijing time. */
  time_end: string;
  attach?: string;
}

export interface V2StubRefund {
  transaction_id: string;
  out_refund_no: string;
  refund_id: string;
  refund_fee: number;
  /** SUCCESS, REFUNDCLOSE, PROCESSING or CHANGE. */
  refund_status: string;
  refund_success_time?: string;
}

/** 签名算法: sort by field name (ASCII), join non-empty `k=v` with `&`, append `&key=<API key>`, MD5, upper case. */
export function md5Sign(fields: Record<string, string>, apiKey: string): string {
  const text = Object.keys(fields)
    .filter((k) => k !== "sign" && fields[k] !== "")
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join("&");
  return createHash("md5").update(`${text}&key=${apiKey}`, "utf8").digest("hex").toUpperCase();
}

export function toXml(fields: Record<string, string>): string {
  return `<xml>${Object.entries(fields)
    .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
    .join("")}</xml>`;
}

export function fromXml(xml: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of xml.matchAll(/<(\w+)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g)) {
    if (m[1] !== "xml") fields[m[1]!] = m[2] ?? m[3] ?? "";
  }
  return fields;
}

export interface V2Stub {
  baseUrl: string;
  payments: V2StubPayment[];
  refunds: V2StubRefund[];
  received: { path: string; fields: Record<string, string> }[];
  close(): Promise<void>;
}

export async function startV2Stub(merchant: V2StubMerchant, tls: { key: string; cert: string }): Promise<V2Stub> {
  const payments: V2StubPayment[] = [];
  const refunds: V2StubRefund[] = [];
  const received: V2Stub["received"] = [];

  const signed = (fields: Record<string, string>) => {
    const all = {
      return_code: "SUCCESS",
      return_msg: "OK",
      appid: merchant.appid,
      mch_id: merchant.mchid,
      nonce_str: randomBytes(8).toString("hex"),
      ...fields,
    };
    return toXml({ ...all, sign: md5Sign(all, merchant.apiKey) });
  };
  const fail = (code: string, des: string) => signed({ result_code: "FAIL", err_code: code, err_code_des: des });

  function orderQuery(q: Record<string, string>): string {
    // transaction_id is used first when both are given.
    const p = q.transaction_id
      ? payments.find((x) => x.transaction_id === q.transaction_id)
      : payments.find((x) => x.out_trade_no === q.out_trade_no);
    if (!p) return fail("ORDERNOTEXIST", "此交易订单号不存在");
    const paid = p.trade_state === "SUCCESS" || p.trade_state === "REFUND";
    return signed({
      result_code: "SUCCESS",
      out_trade_no: p.out_trade_no,
      trade_state: p.trade_state,
      trade_state_desc: paid ? "支付成功" : "订单未支付",
      ...(p.attach ? { attach: p.attach } : {}),
      ...(paid
        ? {
            openid: p.openid,
            is_subscribe: "N",
            trade_type: "JSAPI",
            bank_type: "CMC",
            total_fee: String(p.total_fee),
            fee_type: "CNY",
            cash_fee: String(p.total_fee),
            transaction_id: p.transaction_id,
            time_end: p.time_end,
          }
        : {}),
    });
  }

  function refundQuery(q: Record<string, string>): string {
    const list = refunds.filter((r) => r.transaction_id === q.transaction_id);
    const p = payments.find((x) => x.transaction_id === q.transaction_id);
    if (!p || list.length === 0) return fail("REFUNDNOTEXIST", "退款订单查询失败");
    const fields: Record<string, string> = {
      result_code: "SUCCESS",
      transaction_id: p.transaction_id,
      out_trade_no: p.out_trade_no,
      total_fee: String(p.total_fee),
      cash_fee: String(p.total_fee),
      refund_count: String(list.length),
    };
    list.forEach((r, n) => {
      fields[`out_refund_no_${n}`] = r.out_refund_no;
      fields[`refund_id_${n}`] = r.refund_id;
      fields[`refund_fee_${n}`] = String(r.refund_fee);
      fields[`refund_status_${n}`] = r.refund_status;
      if (r.refund_success_time) fields[`refund_success_time_${n}`] = r.refund_success_time;
    });
    return signed(fields);
  }

  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const fields = fromXml(Buffer.concat(chunks).toString("utf8"));
      const path = new URL(req.url ?? "/", "https://stub").pathname;
      received.push({ path, fields });
      const send = (xml: string) => res.writeHead(200, { "Content-Type": "text/xml" }).end(xml);
      if (fields.mch_id !== merchant.mchid)
        return send(toXml({ return_code: "FAIL", return_msg: "商户号mch_id不存在" }));
      if (fields.sign !== md5Sign(fields, merchant.apiKey)) return send(fail("SIGNERROR", "签名错误"));
      if (fields.appid !== merchant.appid) return send(fail("APPID_NOT_EXIST", "APPID不存在"));
      if (path === "/pay/orderquery") return send(orderQuery(fields));
      if (path === "/pay/refundquery") return send(refundQuery(fields));
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `https://127.0.0.1:${port}`,
    payments,
    refunds,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
