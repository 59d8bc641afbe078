import type { KeyObject } from "node:crypto";

export const pem = (key: KeyObject, type: "pkcs8" | "spki") => key.export({ type, format: "pem" }).toString();
