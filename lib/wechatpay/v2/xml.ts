/**
 * The flat XML dialect of WeChat Pay APIv2: `<xml><key><![CDATA[value]]></key>…</xml>`
 * (and `<root>…</root>` inside a decrypted refund `req_info`).
 *
 * Parsing is deliberately narrow. Every document that is not one root holding leaf elements is refused,
 * and anything that could make an XML parser fetch or expand something (DTD, entity declarations,
 * processing instructions) is refused by a plain text scan BEFORE the parser sees it.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { err, ok, type Result } from "../../result";
import { wechatPayError, type WechatPayError } from "../errors";

/** WeChat's APIv2 messages are a few KiB; anything above this is refused unread. */
export const MAX_XML_BYTES = 64 * 1024;

export type V2XmlRoot = "xml" | "root";

/** Values as they appear in the document: always strings, so amounts keep their exact digits. */
export type V2Params = Record<string, string>;

// Element names WeChat uses are ASCII snake_case (`refund_status_0`, `coupon_refund_id_0_1`).
// Requiring a leading letter also rules out `__proto__` and friends.
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

// Characters XML 1.0 cannot carry at all, plus unpaired UTF-16 surrogates.
// The control characters are exactly what this refuses.
const NON_XML_CHAR =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// Markup declarations (only legal inside a DTD) and conditional sections. Case-insensitive on purpose:
// a lenient parser downstream must not get a second chance at `<!doctype`.
const DTD_MARKUP = /<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)|<!\[(?!CDATA\[)/i;

// The one processing instruction allowed: an XML declaration at the very start.
const XML_DECLARATION = /^<\?xml\s[^<>?]*\?>/;
const DECLARED_ENCODING = /\bencoding\s*=\s*["']([^"']*)["']/;

const parser = new XMLParser({
  preserveOrder: true, // keeps duplicates and the order of text and CDATA pieces visible to us
  ignoreAttributes: true,
  parseTagValue: false, // "0100" must stay "0100": values are signed as text
  trimValues: false, // CDATA content is signed exactly as sent
  ignoreDeclaration: true,
  processEntities: false, // entities are decoded below, with the five XML names and numeric references only
  cdataPropName: "#cdata",
});

type OrderedNode = Record<string, unknown>;

/**
 * Parses a flat WeChat XML document into `{ name: value }`.
 * Refuses (never throws): oversized bodies, invalid UTF-8, DTD/entity declarations, processing instructions,
 * a root other than `root`, nested elements, repeated elements, stray text and undefined entities.
 */
export function parseXml(input: string | Uint8Array, root: V2XmlRoot = "xml"): Result<V2Params, WechatPayError> {
  const text = decodeBounded(input);
  if (!text.ok) return text;
  const doc = text.value;

  if (DTD_MARKUP.test(doc)) {
    return err(wechatPayError("malformed", "XML_DTD_FORBIDDEN", "document contains a DTD or markup declaration"));
  }
  const declaration = XML_DECLARATION.exec(doc);
  const afterDeclaration = declaration ? doc.slice(declaration[0].length) : doc;
  if (afterDeclaration.includes("<?")) {
    return err(wechatPayError("malformed", "XML_DTD_FORBIDDEN", "document contains a processing instruction"));
  }
  const encoding = declaration ? DECLARED_ENCODING.exec(declaration[0])?.[1] : undefined;
  if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
    return err(malformed(`declared encoding ${encoding} is not UTF-8`));
  }
  if (NON_XML_CHAR.test(doc)) return err(malformed("document contains characters XML does not allow"));

  const valid = XMLValidator.validate(doc);
  if (valid !== true) return err(malformed(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`));

  let tree: OrderedNode[];
  try {
    tree = parser.parse(doc) as OrderedNode[];
  } catch (e) {
    // fast-xml-parser throws on names it considers dangerous (e.g. `__proto__`).
    return err(malformed(`XML parser refused the document: ${e instanceof Error ? e.message : String(e)}`));
  }
  return flatten(tree, root);
}

function decodeBounded(input: string | Uint8Array): Result<string, WechatPayError> {
  const tooLarge = () =>
    err(wechatPayError("malformed", "BODY_TOO_LARGE", `XML body is larger than ${MAX_XML_BYTES} bytes`));
  if (typeof input === "string") {
    // Cheap length check first (a UTF-16 unit is at least one UTF-8 byte), exact byte count second.
    if (input.length > MAX_XML_BYTES || Buffer.byteLength(input, "utf8") > MAX_XML_BYTES) return tooLarge();
    return ok(input.replace(/^\uFEFF/, ""));
  }
  if (input.byteLength > MAX_XML_BYTES) return tooLarge();
  try {
    return ok(new TextDecoder("utf-8", { fatal: true }).decode(input));
  } catch {
    return err(malformed("body is not valid UTF-8"));
  }
}

function flatten(tree: OrderedNode[], root: V2XmlRoot): Result<V2Params, WechatPayError> {
  const elements = tree.filter((node) => !isWhitespaceText(node));
  const top = elements[0];
  if (elements.length !== 1 || top === undefined || !(root in top)) {
    return err(malformed(`expected a single <${root}> element`));
  }
  const params: V2Params = Object.create(null) as V2Params;
  for (const child of top[root] as OrderedNode[]) {
    if (isWhitespaceText(child)) continue;
    const [name] = Object.keys(child);
    if (name === undefined || name === "#text" || name === "#cdata") {
      return err(malformed(`<${root}> holds text outside of an element`));
    }
    if (!NAME.test(name)) return err(malformed(`element name ${JSON.stringify(name)} is not allowed`));
    // A second `sign` or `return_code` would let two readers of the same bytes disagree; refuse it.
    if (name in params) return err(malformed(`element <${name}> appears twice`));
    const value = leafText(child[name] as OrderedNode[]);
    if (!value.ok) return err(malformed(`element <${name}>: ${value.error}`));
    params[name] = value.value;
  }
  return ok(params);
}

function leafText(pieces: OrderedNode[]): Result<string, string> {
  let out = "";
  for (const piece of pieces) {
    if ("#text" in piece) {
      const decoded = decodeEntities(String(piece["#text"]));
      if (!decoded.ok) return decoded;
      out += decoded.value;
    } else if ("#cdata" in piece) {
      for (const inner of piece["#cdata"] as OrderedNode[]) out += String(inner["#text"] ?? "");
    } else {
      return err("nested elements are not allowed");
    }
  }
  return ok(out);
}

function isWhitespaceText(node: OrderedNode): boolean {
  return "#text" in node && Object.keys(node).length === 1 && /^\s*$/.test(String(node["#text"]));
}

const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** The five predefined XML entities and numeric character references; anything else is an error. */
function decodeEntities(text: string): Result<string, string> {
  let failure: string | undefined;
  const out = text.replace(/&([^;&\s]{0,10});?/g, (whole, ref: string) => {
    const named = NAMED_ENTITIES[ref];
    if (named !== undefined && whole.endsWith(";")) return named;
    const numeric = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
    if (numeric && whole.endsWith(";")) {
      const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
      if (code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) {
        const char = String.fromCodePoint(code);
        if (!NON_XML_CHAR.test(char)) return char;
      }
    }
    failure ??= `undefined or invalid entity reference ${JSON.stringify(whole)}`;
    return whole;
  });
  return failure === undefined ? ok(out) : err(failure);
}

/** Drops the characters XML 1.0 cannot carry; only for free text that is not signed (e.g. a `return_msg`). */
export function stripNonXmlChars(text: string): string {
  return text.replace(new RegExp(NON_XML_CHAR.source, "g"), "");
}

function malformed(detail: string): WechatPayError {
  return wechatPayError("malformed", "MALFORMED", detail);
}

/**
 * Builds `<xml><k><![CDATA[v]]></k>…</xml>` in the given key order. Numbers are written plain, as WeChat does
 * for amounts. Values are never altered: one that XML cannot carry is refused, because the signature was
 * computed over the original text.
 */
export function buildXml(
  params: Readonly<Record<string, string | number>>,
  root: V2XmlRoot = "xml",
): Result<string, WechatPayError> {
  let body = "";
  for (const [name, value] of Object.entries(params)) {
    if (!NAME.test(name)) return err(malformed(`element name ${JSON.stringify(name)} is not allowed`));
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) return err(malformed(`<${name}> must be an integer, got ${value}`));
      body += `<${name}>${value}</${name}>`;
      continue;
    }
    if (NON_XML_CHAR.test(value)) return err(malformed(`<${name}> contains characters XML does not allow`));
    // `]]>` would end the section early; split it across two sections.
    body += `<${name}><![CDATA[${value.replaceAll("]]>", "]]]]><![CDATA[>")}]]></${name}>`;
  }
  return ok(`<${root}>${body}</${root}>`);
}
