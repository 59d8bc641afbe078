import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { knownErrorCodes } from "./errors";

describe("docs/wechatpay.md", () => {
  it("lists every error code the console knows, with its advice", () => {
    const doc = readFileSync(new URL("../../docs/wechatpay.md", import.meta.url), "utf8");
    const missing = knownErrorCodes().filter(
      (code) => !new RegExp(`^\\| \`${code}\` \\| [^|]+ \\| (retry|unknown|final) \\|`, "m").test(doc),
    );
    expect(missing).toEqual([]);
  });
});
