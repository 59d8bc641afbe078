import { describe, expect, it } from "vitest";
import { applyRefundInputSchema, checkInput } from "./refund-requests";

const base = {
  transaction_id: "4200001234202611230000000001",
  out_refund_no: "R1",
  amount: { refund: 600, total: 1_000, currency: "CNY" as const },
};

describe("the refund apply request, checked before anything is sent", () => {
  it.each([
    ["the plain request", base, true],
    ["funds from the available balance", { ...base, funds_account: "AVAILABLE" }, true],
    ["funds from unsettled funds", { ...base, funds_account: "UNSETTLED" }, true],
    ["an unknown funds account", { ...base, funds_account: "BASIC" }, false],
    [
      "paying accounts adding up to the refund",
      {
        ...base,
        amount: {
          ...base.amount,
          from: [
            { account: "AVAILABLE", amount: 400 },
            { account: "UNAVAILABLE", amount: 200 },
          ],
        },
      },
      true,
    ],
    [
      "paying accounts short of the refund",
      { ...base, amount: { ...base.amount, from: [{ account: "AVAILABLE", amount: 444 }] } },
      false,
    ],
    [
      "a paying account WeChat does not name",
      { ...base, amount: { ...base.amount, from: [{ account: "OPERATION", amount: 600 }] } },
      false,
    ],
    ["a 26-character Chinese reason (78 bytes)", { ...base, reason: "退".repeat(26) }, true],
    ["a 27-character Chinese reason (81 bytes)", { ...base, reason: "退".repeat(27) }, false],
    ["a notify URL with a query", { ...base, notify_url: "https://shop.example.com/notify?a=1" }, false],
  ])("%s → %s", (_name, input, accepted) => {
    const checked = checkInput(applyRefundInputSchema, input);
    expect(checked.ok).toBe(accepted);
    if (!checked.ok) expect(checked.error).toMatchObject({ code: "REQUEST_INVALID", advice: "final" });
  });
});
