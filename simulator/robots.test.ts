import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { robotRequest } from "../lib/alerts/robots";
import { postOutside } from "../lib/webhooks/post";
import { systemResolver } from "../lib/webhooks/ssrf";
import { createSimulator, type Simulator } from "./server";

/** The demo's group robots: the console's alert requests land on /_sim/robots/<kind> and show on the /_sim/ page. */
describe("simulator robot receiver", () => {
  let sim: Simulator;
  let base: string;
  beforeAll(async () => {
    sim = createSimulator({ controlToken: "robot-test-token" });
    base = (await sim.listen(0)).url;
  });
  afterAll(() => sim.close());

  const message = {
    kind: "refund_abnormal",
    title: "❗ 1 笔退款异常 (ABNORMAL) / 1 refund(s) ABNORMAL",
    lines: ["- R123 · ¥6.00"],
    link: "http://localhost:3000/refunds/R123",
  };

  it.each([
    ["wecom", null, { errcode: 0, errmsg: "ok" }],
    ["dingtalk", "SECdemo", { errcode: 0, errmsg: "ok" }],
    ["feishu", "demo", { code: 0, msg: "success", data: {} }],
    ["webhook", null, { ok: true }],
  ] as const)(
    "takes a %s message without the control token and answers as the vendor does",
    async (kind, secret, answer) => {
      const request = robotRequest({ kind, url: `${base}/_sim/robots/${kind}`, secret }, message, new Date());
      const outcome = await postOutside(request.url, { "content-type": "application/json" }, request.body, {
        policy: { allowPrivate: true },
        resolver: systemResolver,
        timeoutMs: 5_000,
      });
      expect(outcome.status).toBe(200);
      expect(JSON.parse(outcome.excerpt!)).toEqual(answer);
    },
  );

  it("lists the messages and shows them, readable, on the page", async () => {
    const auth = { authorization: "Bearer robot-test-token" };
    const list = (await (await fetch(`${base}/_sim/robots`, { headers: auth })).json()) as {
      robot: string;
      text: string;
      query: string;
    }[];
    expect(list.map((m) => m.robot)).toEqual(["wecom", "dingtalk", "feishu", "webhook"]);
    expect(list.every((m) => m.text.includes("R123"))).toBe(true);
    expect(list[1]!.query).toMatch(/^timestamp=\d+&sign=/);
    const page = await (await fetch(`${base}/_sim/`, { headers: auth })).text();
    expect(page).toContain("Robot messages (the console&#39;s alerts) (4)");
    expect(page).toContain("1 refund(s) ABNORMAL");
  });
});
