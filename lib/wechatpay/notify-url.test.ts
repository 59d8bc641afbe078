import { describe, expect, it } from "vitest";
import { notifyUrlProblem } from "./notify-url";

describe("notify_url as WeChat Pay takes it", () => {
  it.each([
    ["https://shop.example.com/api/notify/refund", undefined],
    ["https://shop.example.com:443/api/notify/refund", undefined],
    ["http://localhost:3000/api/notify/refund", undefined],
    ["http://127.0.0.1:3000/api/notify/refund", undefined],
    ["http://shop.example.com/api/notify/refund", "must be https: WeChat Pay calls it over TLS"],
    ["https://shop.example.com:8443/api/notify/refund", "must use the default port 443"],
    ["https://shop.example.com/api/notify/refund?merchant=1", "must not carry a query string"],
    ["https://shop.example.com/api/notify/refund?", "must not carry a query string"],
    ["https://shop.example.com/api/notify/refund#x", "must not carry a fragment"],
    ["ftp://shop.example.com/notify", "must be https: WeChat Pay calls it over TLS"],
    ["not a url", "is not a URL"],
  ])("%s → %s", (url, problem) => {
    expect(notifyUrlProblem(url)).toBe(problem);
  });
});
