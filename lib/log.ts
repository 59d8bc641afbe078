import pino from "pino";
import { envSetting } from "./env";

/** Structured logs. Anything that could hold a secret is redacted by path, wherever it is nested. */
export const log = pino({
  level: envSetting("LOG_LEVEL"),
  redact: {
    paths: [
      "password",
      "*.password",
      "passwordHash",
      "*.passwordHash",
      "authorization",
      "*.authorization",
      "headers.authorization",
      "*.headers.authorization",
      "apiV3Key",
      "*.apiV3Key",
      "apiV2Key",
      "*.apiV2Key",
      "privateKey",
      "*.privateKey",
      "secret",
      "*.secret",
      "token",
      "*.token",
      "apiKey",
      "*.apiKey",
    ],
    censor: "[redacted]",
  },
});
