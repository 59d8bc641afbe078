import { describe, expect, it } from "vitest";
import notify from "./fixtures/DERIVED.v2_refund_notify_req_info.json";
import php from "./fixtures/wechatpay-php.json";
import { buildXml, MAX_XML_BYTES, parseXml, stripNonXmlChars } from "./xml";

// WeChat's documented answer to 申请退款 (seed 001 / the APIv2 refund page), whitespace and all.
const DOC_REFUND_ANSWER = `<xml>
   <return_code><![CDATA[SUCCESS]]></return_code>
   <return_msg><![CDATA[OK]]></return_msg>
   <appid><![CDATA[wx2421b1c4370ec43b]]></appid>
   <mch_id><![CDATA[10000100]]></mch_id>
   <nonce_str><![CDATA[NfsMFbUFpdbEhPXP]]></nonce_str>
   <sign><![CDATA[B7274EB9F8925EB93100DD2085FA56C0]]></sign>
   <result_code><![CDATA[SUCCESS]]></result_code>
   <transaction_id><![CDATA[1008450740201411110005820873]]></transaction_id>
   <out_trade_no><![CDATA[1415757673]]></out_trade_no>
   <out_refund_no><![CDATA[1415701182]]></out_refund_no>
   <refund_id><![CDATA[2008450740201411110000174436]]></refund_id>
   <refund_channel><![CDATA[]]></refund_channel>
   <refund_fee>1</refund_fee>
</xml>`;

describe("parseXml: documents WeChat sends", () => {
  it("reads the documented refund answer, CDATA and plain values alike", () => {
    const r = parseXml(DOC_REFUND_ANSWER);
    expect(r.ok && r.value).toMatchObject({
      return_code: "SUCCESS",
      sign: "B7274EB9F8925EB93100DD2085FA56C0",
      refund_channel: "",
      refund_fee: "1",
    });
  });

  it("reads the refund notification envelope (return_code without CDATA)", () => {
    const r = parseXml(notify.notification_xml);
    expect(r.ok && r.value.return_code).toBe("SUCCESS");
    expect(r.ok && r.value.req_info).toBe(notify.req_info_b64);
  });

  it("reads the <root> req_info plaintext with the misspelled refund_recv_accout", () => {
    const r = parseXml(php.refund_req_info_plaintext_xml, "root");
    expect(r.ok && r.value.refund_recv_accout).toBe("支付用户零钱");
    expect(r.ok && Object.keys(r.value)).toHaveLength(13);
  });

  it.each([
    ["keeps CDATA content exactly (it is signed)", "<xml><a><![CDATA[ x ]]></a></xml>", { a: " x " }],
    ["keeps leading zeros", "<xml><a>0100</a></xml>", { a: "0100" }],
    ["decodes the five XML entities", "<xml><a>&lt;&gt;&amp;&quot;&apos;</a></xml>", { a: `<>&"'` }],
    ["decodes numeric references", "<xml><a>&#38;&#x4E2D;</a></xml>", { a: "&中" }],
    ["leaves entities inside CDATA alone", "<xml><a><![CDATA[&amp;]]></a></xml>", { a: "&amp;" }],
    ["joins text and CDATA pieces in order", "<xml><a>x<![CDATA[y]]>z</a></xml>", { a: "xyz" }],
    ["accepts an XML declaration", '<?xml version="1.0" encoding="UTF-8"?>\n<xml><a>1</a></xml>', { a: "1" }],
    ["ignores comments", "<xml><!-- c --><a>1</a></xml>", { a: "1" }],
    ["reads empty elements as empty strings", "<xml><a/><b></b></xml>", { a: "", b: "" }],
    ["accepts a BOM", "\uFEFF<xml><a>1</a></xml>", { a: "1" }],
    ["reads an empty root", "<xml></xml>", {}],
  ])("%s", (_, doc, expected) => {
    const r = parseXml(doc);
    expect(r.ok && { ...r.value }).toEqual(expected);
  });

  it("accepts UTF-8 bytes", () => {
    const r = parseXml(Buffer.from("<xml><a>退款</a></xml>", "utf8"));
    expect(r.ok && r.value.a).toBe("退款");
  });
});

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><return_code>&lol9;</return_code></xml>`;

describe("parseXml: hostile or broken input is refused with a typed error", () => {
  it("refuses the billion laughs before parsing, fast", () => {
    const started = performance.now();
    const r = parseXml(BILLION_LAUGHS);
    // Expanding it would take gigabytes and far longer; a second leaves room for a loaded machine's pauses.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(!r.ok && r.error.code).toBe("XML_DTD_FORBIDDEN");
  });

  it.each([
    ["external entity (XXE)", '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><a>&x;</a></xml>'],
    ["lower-case doctype", "<!doctype xml><xml/>"],
    ["entity declaration without doctype", '<!ENTITY x "y"><xml/>'],
    ["conditional section", "<![INCLUDE[<xml/>]]>"],
    ["stylesheet processing instruction", '<?xml-stylesheet href="x"?><xml/>'],
    ["processing instruction inside the root", "<xml><?php echo 1 ?><a>1</a></xml>"],
    ["a second XML declaration", '<?xml version="1.0"?><?xml version="1.0"?><xml/>'],
  ])("%s → XML_DTD_FORBIDDEN", (_, doc) => {
    const r = parseXml(doc);
    expect(!r.ok && r.error).toMatchObject({ code: "XML_DTD_FORBIDDEN", kind: "malformed" });
  });

  it.each([
    ["empty body", ""],
    ["not XML", "return_code=SUCCESS"],
    ["JSON", '{"return_code":"SUCCESS"}'],
    ["unclosed element", "<xml><a>1</xml>"],
    ["truncated", "<xml><a>1</a>"],
    ["wrong root", "<root><a>1</a></root>"],
    ["two roots", "<xml><a>1</a></xml><xml/>"],
    ["trailing junk", "<xml><a>1</a></xml>junk"],
    ["nested element", "<xml><a><b>1</b></a></xml>"],
    ["duplicated sign", "<xml><sign>A</sign><sign>B</sign></xml>"],
    ["text beside elements", "<xml>junk<a>1</a></xml>"],
    ["undefined entity", "<xml><a>&nbsp;</a></xml>"],
    ["bare ampersand", "<xml><a>a & b</a></xml>"],
    ["reference to NUL", "<xml><a>&#0;</a></xml>"],
    ["control character", "<xml><a>\u0001</a></xml>"],
    ["prototype key", "<xml><__proto__>1</__proto__></xml>"],
    ["Object.prototype name", "<xml><constructor>1</constructor></xml>"],
    ["declared GBK", '<?xml version="1.0" encoding="GBK"?><xml/>'],
  ])("%s → MALFORMED", (_, doc) => {
    const r = parseXml(doc);
    expect(!r.ok && r.error).toMatchObject({ code: "MALFORMED", kind: "malformed" });
  });

  it("refuses invalid UTF-8 bytes", () => {
    const r = parseXml(Buffer.from([0x3c, 0x78, 0x6d, 0x6c, 0x3e, 0xff, 0x3c, 0x2f, 0x78, 0x6d, 0x6c, 0x3e]));
    expect(!r.ok && r.error.code).toBe("MALFORMED");
  });

  it.each([
    ["a string", (doc: string) => doc],
    ["bytes", (doc: string) => Buffer.from(doc, "utf8")],
  ])("refuses a body over 64 KiB given as %s, counting bytes", (_, as) => {
    const filler = "退".repeat(Math.ceil(MAX_XML_BYTES / 3)); // 3 bytes each: fewer characters than bytes
    const r = parseXml(as(`<xml><a>${filler}</a></xml>`));
    expect(!r.ok && r.error.code).toBe("BODY_TOO_LARGE");
  });

  it("accepts a body just under the limit", () => {
    const doc = `<xml><a>${"x".repeat(MAX_XML_BYTES - 20)}</a></xml>`;
    expect(parseXml(doc).ok).toBe(true);
  });
});

describe("buildXml", () => {
  it("writes CDATA for text and plain numbers, in the given order", () => {
    const r = buildXml({ return_code: "SUCCESS", refund_fee: 1 });
    expect(r.ok && r.value).toBe("<xml><return_code><![CDATA[SUCCESS]]></return_code><refund_fee>1</refund_fee></xml>");
  });

  it("builds the documented notification answer", () => {
    const r = buildXml({ return_code: "SUCCESS", return_msg: "OK" });
    expect(r.ok && r.value).toBe(notify.success_reply_xml);
  });

  it.each([
    ["]]> inside a value", "a]]>b"],
    ["markup", "</a><sign>X</sign>"],
    ["Chinese and emoji", "退款 🧾"],
    ["entities stay literal", "&amp;"],
  ])("round-trips %s unchanged", (_, value) => {
    const built = buildXml({ a: value }, "root");
    const parsed = built.ok ? parseXml(built.value, "root") : built;
    expect(parsed.ok && parsed.value.a).toBe(value);
  });

  it.each([
    ["bad element name", { "a b": "1" }],
    ["character XML cannot carry", { a: "\u0000" }],
    ["lone surrogate", { a: "\uD800" }],
    ["fractional amount", { a: 1.5 }],
  ])("refuses a %s", (_, params) => {
    const r = buildXml(params);
    expect(!r.ok && r.error.code).toBe("MALFORMED");
  });
});

describe("stripNonXmlChars", () => {
  it("drops control characters and lone surrogates, keeps the rest", () => {
    expect(stripNonXmlChars("a\u0000b\uD800c🧾\n")).toBe("abc🧾\n");
  });
});
