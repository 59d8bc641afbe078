/**
 * What the evidence trail may keep of a message to or from WeChat Pay: the business content, without keys, signatures
 * or the payer's personal data. Used when an exchange is recorded and again when the trail is read, so a row written
 * before a rule existed is still shown redacted.
 */

export interface RedactOptions {
  /** Secret values known to the caller (the merchant's APIv3 and APIv2 keys): removed wherever they appear. */
  secrets?: readonly (string | undefined)[];
  /** For a read-only viewer: the account the money went to (`user_received_account`) is masked as well. */
  forViewer?: boolean;
}

export const REDACTED = "[redacted]";
export const ENCRYPTED = "[encrypted]";

/** Longest text kept of a body that is not JSON (an HTML error page, a bill): enough to read what happened. */
export const MAX_TEXT_CHARS = 4_000;
const MAX_DEPTH = 12;

/** `Wechatpay-Signature`, `bank_account`, `realName` → `wechatpaysignature`, `bankaccount`, `realname`. */
const normalise = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Keys whose whole value is a secret, by exact name or by a part of it. */
const SECRET_KEYS = new Set(["sign", "key", "paysign", "authorization", "p12", "pfx", "passphrase"]);
const SECRET_PARTS = [
  "signature",
  "secret",
  "password",
  "privatekey",
  "apikey",
  "apiv3key",
  "apiv2key",
  "ciphertext",
  "token",
];

type Masker = (value: string) => string;

/** Personal data, masked so that a person can still tell two cards or payers apart. */
const PERSONAL_KEYS: Record<string, Masker> = {
  bankaccount: maskAccount,
  accountno: maskAccount,
  cardno: maskAccount,
  idcardnumber: maskAccount,
  phone: maskAccount,
  mobile: maskAccount,
  realname: maskName,
  username: maskName,
  payername: maskName,
  accountname: maskName,
  openid: maskOpenid,
  payeropenid: maskOpenid,
  spopenid: maskOpenid,
  subopenid: maskOpenid,
};

/** What a read-only viewer does not see whole either: where the money went. */
const VIEWER_KEYS: Record<string, Masker> = { userreceivedaccount: maskAccount };

/** A value WeChat's sensitive-field encryption produced (RSA-OAEP, base64 of 256+ bytes), not a plain number or name. */
function looksEncrypted(value: string): boolean {
  return value.length >= 64 && /^[A-Za-z0-9+/]+={0,2}$/.test(value);
}

/** Redacting twice changes nothing: what the recorder hid stays as it was when the trail is read. */
const alreadyHidden = (value: string) => value === ENCRYPTED || value === REDACTED;

/** `6214830901234567` → `************4567`; ciphertext → `[encrypted]`. */
export function maskAccount(value: string): string {
  if (alreadyHidden(value)) return value;
  if (looksEncrypted(value)) return ENCRYPTED;
  const compact = value.replace(/\s/g, "");
  if (compact.length <= 4) return "*".repeat(compact.length);
  return `${"*".repeat(compact.length - 4)}${compact.slice(-4)}`;
}

/** `张三` → `*三`, `Zhang San` → `********n`: only the last character stays, as WeChat's own pages show names. */
export function maskName(value: string): string {
  if (alreadyHidden(value)) return value;
  if (looksEncrypted(value)) return ENCRYPTED;
  const chars = [...value.trim()];
  if (chars.length <= 1) return "*";
  return `${"*".repeat(chars.length - 1)}${chars.at(-1)}`;
}

/** `oUpF8uMuAJO_M2pxb1Q9zNjWeS6o` → `oUpF****eS6o`. */
export function maskOpenid(value: string): string {
  if (value.length <= 8) return "*".repeat(value.length);
  return `${value.slice(0, 4)}****${value.slice(-4)}`;
}

const PRIVATE_KEY_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g;
const AUTHORIZATION_VALUE = /WECHATPAY2-SHA256-RSA2048\s+\S[^\n]*/g;

/** Removes private keys, Authorization values and the caller's known secrets from any text. */
export function scrubText(text: string, options: RedactOptions = {}): string {
  let out = text.replace(PRIVATE_KEY_PEM, REDACTED).replace(AUTHORIZATION_VALUE, REDACTED);
  for (const secret of options.secrets ?? []) {
    // Short values would blank out ordinary words; real keys are 32 characters.
    if (secret && secret.length >= 16) out = out.split(secret).join(REDACTED);
  }
  return out;
}

function redactValue(key: string | null, value: unknown, options: RedactOptions, depth: number): unknown {
  const name = key === null ? "" : normalise(key);
  if (name && (SECRET_KEYS.has(name) || SECRET_PARTS.some((part) => name.includes(part)))) {
    return value === null || value === undefined || value === "" ? value : REDACTED;
  }
  if (typeof value === "string") {
    const masker = PERSONAL_KEYS[name] ?? (options.forViewer ? VIEWER_KEYS[name] : undefined);
    return masker ? masker(value) : scrubText(value, options);
  }
  if (typeof value === "number" && PERSONAL_KEYS[name]) return PERSONAL_KEYS[name](String(value));
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactValue(key, item, options, depth + 1));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(k, v, options, depth + 1)]));
  }
  return value;
}

/** A JSON value with secrets removed and personal data masked, at any depth. */
export function redactJson(value: unknown, options: RedactOptions = {}): unknown {
  return redactValue(null, value, options, 0);
}

/**
 * A message body as stored: parsed and redacted when it is JSON, else its text scrubbed and cut to a readable length.
 * Empty bodies (a GET, a 204) are null.
 */
export function redactBody(text: string | undefined, options: RedactOptions = {}): unknown {
  if (text === undefined || text === "") return null;
  try {
    return redactJson(JSON.parse(text), options);
  } catch {
    const scrubbed = scrubText(text, options);
    return scrubbed.length > MAX_TEXT_CHARS
      ? { text: scrubbed.slice(0, MAX_TEXT_CHARS), truncatedFrom: scrubbed.length }
      : { text: scrubbed };
  }
}

/** Request headers worth keeping: which key encrypted the sensitive fields, and the content type. Never Authorization. */
const REQUEST_HEADERS = ["accept", "content-type", "wechatpay-serial"];
/** Answer headers worth keeping: WeChat's request id, which support asks for, and which key signed the answer. */
const RESPONSE_HEADERS = ["request-id", "content-type", "wechatpay-serial", "wechatpay-timestamp"];

function pickHeaders(headers: Headers | Record<string, string>, keep: readonly string[]): Record<string, string> {
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  return Object.fromEntries(
    entries.filter(([name]) => keep.includes(name.toLowerCase())).map(([name, value]) => [name.toLowerCase(), value]),
  );
}

export const requestHeaders = (headers: Headers | Record<string, string>) => pickHeaders(headers, REQUEST_HEADERS);
export const responseHeaders = (headers: Headers | Record<string, string>) => pickHeaders(headers, RESPONSE_HEADERS);
