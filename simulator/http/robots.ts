/**
 * Group robots for the demo: the console's alerts (WeCom, DingTalk, Feishu, a generic webhook) posted to
 * /_sim/robots/<kind> land here and show on the /_sim/ page. Like the request log, in memory only and bounded.
 * Each answers the way its vendor does on success, so the console records the message as accepted.
 */
import { json, type Answer, type ApiRequest } from "./io";

export const ROBOT_KINDS = ["wecom", "dingtalk", "feishu", "webhook"] as const;
export type RobotKind = (typeof ROBOT_KINDS)[number];

export interface RobotMessage {
  at: number;
  robot: RobotKind;
  /** DingTalk's `timestamp` and `sign` travel in the query. */
  query: string;
  /** What a person would read in the group. */
  text: string;
  body: string;
}

const MAX_MESSAGES = 200;

const SUCCESS: Record<RobotKind, unknown> = {
  wecom: { errcode: 0, errmsg: "ok" },
  dingtalk: { errcode: 0, errmsg: "ok" },
  feishu: { code: 0, msg: "success", data: {} },
  webhook: { ok: true },
};

/** The readable part of each vendor's message format. */
function readable(robot: RobotKind, body: string): string {
  try {
    const parsed = JSON.parse(body) as Record<string, Record<string, string> | string | string[]>;
    if (robot === "wecom") return (parsed.markdown as Record<string, string>)?.content ?? body;
    if (robot === "dingtalk") return (parsed.markdown as Record<string, string>)?.text ?? body;
    if (robot === "feishu") return (parsed.content as Record<string, string>)?.text ?? body;
    return [parsed.title, ...((parsed.lines as string[]) ?? []), parsed.link].join("\n");
  } catch {
    return body;
  }
}

export class RobotInbox {
  private messages: RobotMessage[] = [];

  /** POST /_sim/robots/<kind>: keep the message, answer as the vendor would. */
  receive(robot: RobotKind, req: ApiRequest, now: number): Answer {
    this.messages.push({
      at: now,
      robot,
      query: req.query.toString(),
      text: readable(robot, req.body),
      body: req.body,
    });
    if (this.messages.length > MAX_MESSAGES) this.messages.splice(0, this.messages.length - MAX_MESSAGES);
    return json(200, SUCCESS[robot]);
  }

  list(): readonly RobotMessage[] {
    return this.messages;
  }

  clear(): void {
    this.messages = [];
  }
}
