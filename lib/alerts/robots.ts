import { createHmac } from "node:crypto";
import type { AlertChannel } from "../db/schema";
import { msg } from "../message";
import { inBothLanguages } from "../translate";

/** One grouped alert, ready for any channel: a title and markdown lines, in both languages, and where to look. */
export interface AlertMessage {
  kind: string;
  title: string;
  lines: string[];
  link: string;
}

export interface RobotRequest {
  url: string;
  body: string;
}

/**
 * DingTalk 自定义机器人 加签: HMAC-SHA256 keyed with the secret over `timestamp + "\n" + secret` (timestamp in
 * milliseconds), base64, then URL-encoded into the `sign` query parameter beside `timestamp`.
 */
export function dingtalkSign(secret: string, timestampMs: number): string {
  const digest = createHmac("sha256", secret).update(`${timestampMs}\n${secret}`, "utf8").digest("base64");
  return encodeURIComponent(digest);
}

/**
 * Feishu 自定义机器人 签名校验: the other way round — `timestamp + "\n" + secret` (timestamp in seconds) is the HMAC
 * key, the message is empty; base64, sent in the body as `sign` beside `timestamp`.
 */
export function feishuSign(secret: string, timestampSeconds: number): string {
  return createHmac("sha256", `${timestampSeconds}\n${secret}`).update("").digest("base64");
}

function markdown(message: AlertMessage): string {
  return [
    `### ${message.title}`,
    ...message.lines,
    "",
    `[${inBothLanguages(msg("outcomes.alerts.robot.OPEN"))}](${message.link})`,
  ].join("\n");
}

function plainText(message: AlertMessage): string {
  return [message.title, ...message.lines.map((l) => l.replace(/\*\*/g, "")), message.link].join("\n");
}

/** WeCom's markdown content is limited to 4096 bytes; DingTalk and Feishu allow more, but a long alert helps nobody. */
const MAX_BYTES = 4000;
function clip(text: string): string {
  if (Buffer.byteLength(text) <= MAX_BYTES) return text;
  let cut = text;
  while (Buffer.byteLength(cut) > MAX_BYTES - 3) cut = cut.slice(0, -16);
  return `${cut}…`;
}

/** The HTTP request each kind of robot expects (docs/alerts.md cites the vendors' documents). */
export function robotRequest(
  channel: Pick<AlertChannel, "kind" | "url" | "secret">,
  message: AlertMessage,
  now: Date,
): RobotRequest {
  switch (channel.kind) {
    case "wecom":
      // 企业微信群机器人: POST …/cgi-bin/webhook/send?key=…, the key is part of the URL; no signing.
      return {
        url: channel.url,
        body: JSON.stringify({ msgtype: "markdown", markdown: { content: clip(markdown(message)) } }),
      };
    case "dingtalk": {
      const body = JSON.stringify({
        msgtype: "markdown",
        markdown: { title: message.title, text: clip(markdown(message)) },
      });
      if (!channel.secret) return { url: channel.url, body };
      const timestamp = now.getTime();
      // `sign` is URL-encoded already, as DingTalk's document says, so it is appended as it is.
      const separator = channel.url.includes("?") ? "&" : "?";
      return {
        url: `${channel.url}${separator}timestamp=${timestamp}&sign=${dingtalkSign(channel.secret, timestamp)}`,
        body,
      };
    }
    case "feishu": {
      const timestamp = Math.floor(now.getTime() / 1000);
      const signed = channel.secret
        ? { timestamp: String(timestamp), sign: feishuSign(channel.secret, timestamp) }
        : {};
      return {
        url: channel.url,
        body: JSON.stringify({ ...signed, msg_type: "text", content: { text: clip(plainText(message)) } }),
      };
    }
    case "webhook":
      return {
        url: channel.url,
        body: JSON.stringify({ kind: message.kind, title: message.title, lines: message.lines, link: message.link }),
      };
  }
}

/**
 * Robots answer HTTP 200 even when they refuse (a bad signature, a rate limit): the verdict is in the body —
 * `errcode` for WeCom and DingTalk, `code` (or `StatusCode`) for Feishu.
 */
export function robotRefusal(kind: AlertChannel["kind"], excerpt: string | null): string | null {
  if (kind === "webhook" || !excerpt) return null;
  try {
    const answer = JSON.parse(excerpt) as {
      errcode?: number;
      errmsg?: string;
      code?: number;
      msg?: string;
      StatusCode?: number;
    };
    const code = kind === "feishu" ? (answer.code ?? answer.StatusCode) : answer.errcode;
    return code === undefined || code === 0 ? null : `ROBOT_${code}: ${answer.errmsg ?? answer.msg ?? ""}`.trim();
  } catch {
    return null;
  }
}
