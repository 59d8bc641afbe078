import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { dingtalkSign, feishuSign, robotRefusal, robotRequest, type AlertMessage } from "./robots";

/*
 * Known answers computed by running the vendors' own documented sample code (DingTalk's Python 3.8 sample for
 * 加签, Feishu's Python 3.9 sample for 签名校验) with the timestamp fixed; docs/alerts.md links the documents.
 */
const DINGTALK = {
  secret: "this is secret",
  timestamp: 1577262236757,
  sign: "hmPWwU%2B7lVdm3ZZz0r9tSfx0L4Q26jWOZr9%2BGs6EZQM%3D",
};
const FEISHU = { secret: "demo-secret", timestamp: 1599360473, sign: "3/MaVZ8JLIy4TUG+7KSFJqvUkTKd+HWY8g+56DZWq8s=" };

const message: AlertMessage = {
  kind: "refund_stuck",
  title: "⏳ 2 笔退款长时间未完成 / 2 refund(s) stuck",
  lines: ["- R1 · PROCESSING", "- R2 · PENDING"],
  link: "https://console.example.com/refunds?attention=1",
};

describe("DingTalk 自定义机器人 加签", () => {
  it("matches the documented sample's output", () => {
    expect(dingtalkSign(DINGTALK.secret, DINGTALK.timestamp)).toBe(DINGTALK.sign);
  });

  it("keys the HMAC with the secret over timestamp\\nsecret (the documented Java sample, step by step)", () => {
    const stringToSign = `${DINGTALK.timestamp}\n${DINGTALK.secret}`;
    const signData = createHmac("sha256", Buffer.from(DINGTALK.secret, "utf8")).update(stringToSign).digest();
    expect(dingtalkSign(DINGTALK.secret, DINGTALK.timestamp)).toBe(encodeURIComponent(signData.toString("base64")));
  });

  it("sends markdown with timestamp (ms) and the encoded sign as query parameters", () => {
    const request = robotRequest(
      { kind: "dingtalk", url: "https://oapi.dingtalk.com/robot/send?access_token=abc", secret: DINGTALK.secret },
      message,
      new Date(DINGTALK.timestamp),
    );
    expect(request.url).toBe(
      `https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=${DINGTALK.timestamp}&sign=${DINGTALK.sign}`,
    );
    const body = JSON.parse(request.body);
    expect(body).toMatchObject({ msgtype: "markdown", markdown: { title: message.title } });
    expect(body.markdown.text).toContain("- R1 · PROCESSING");
    expect(body.markdown.text).toContain("(https://console.example.com/refunds?attention=1)");
  });
});

describe("Feishu 自定义机器人 签名校验", () => {
  it("matches the documented sample's output", () => {
    expect(feishuSign(FEISHU.secret, FEISHU.timestamp)).toBe(FEISHU.sign);
  });

  it("uses timestamp\\nsecret as the HMAC key over an empty message — not DingTalk's way round", () => {
    const dingtalkWay = createHmac("sha256", FEISHU.secret)
      .update(`${FEISHU.timestamp}\n${FEISHU.secret}`)
      .digest("base64");
    expect(feishuSign(FEISHU.secret, FEISHU.timestamp)).not.toBe(dingtalkWay);
  });

  it("puts timestamp (seconds, a string) and sign in the body beside a text message", () => {
    const request = robotRequest(
      { kind: "feishu", url: "https://open.feishu.cn/open-apis/bot/v2/hook/xyz", secret: FEISHU.secret },
      message,
      new Date(FEISHU.timestamp * 1000 + 999),
    );
    expect(request.url).toBe("https://open.feishu.cn/open-apis/bot/v2/hook/xyz");
    const body = JSON.parse(request.body);
    expect(body).toMatchObject({ timestamp: String(FEISHU.timestamp), sign: FEISHU.sign, msg_type: "text" });
    expect(body.content.text).toContain("2 refund(s) stuck");
    expect(body.content.text).toContain("https://console.example.com/refunds?attention=1");
  });
});

describe("WeCom 群机器人", () => {
  it("posts markdown to the key URL, unsigned", () => {
    const url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa";
    const request = robotRequest({ kind: "wecom", url, secret: null }, message, new Date());
    expect(request.url).toBe(url);
    const body = JSON.parse(request.body);
    expect(Object.keys(body)).toEqual(["msgtype", "markdown"]);
    expect(body.msgtype).toBe("markdown");
    expect(body.markdown.content.startsWith(`### ${message.title}\n- R1 · PROCESSING`)).toBe(true);
  });

  it("keeps the content within WeCom's 4096 bytes", () => {
    const long = { ...message, lines: Array.from({ length: 500 }, (_, i) => `- 退款 R${i} 处理中`) };
    const body = JSON.parse(
      robotRequest({ kind: "wecom", url: "https://q.example/", secret: null }, long, new Date()).body,
    );
    expect(Buffer.byteLength(body.markdown.content)).toBeLessThanOrEqual(4096);
  });
});

describe("robots' answers", () => {
  it.each([
    ["wecom", '{"errcode":0,"errmsg":"ok"}', null],
    ["wecom", '{"errcode":45009,"errmsg":"api freq out of limit"}', "ROBOT_45009: api freq out of limit"],
    ["dingtalk", '{"errcode":310000,"errmsg":"sign not match"}', "ROBOT_310000: sign not match"],
    ["feishu", '{"code":0,"msg":"success","data":{}}', null],
    [
      "feishu",
      '{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}',
      "ROBOT_19021: sign match fail or timestamp is not within one hour from current time",
    ],
    ["feishu", '{"StatusCode":0,"StatusMessage":"success"}', null],
    ["webhook", '{"errcode":1}', null],
  ] as const)("%s %s → %s", (kind, excerpt, refusal) => {
    expect(robotRefusal(kind, excerpt)).toBe(refusal);
  });
});
