import { pino, type Logger } from "pino";
import type { Config } from "../config/config.js";

export type { Logger };

/**
 * Structured JSON logs. Redaction is a second line of defence: no code path logs a token,
 * password or hash, and these paths are blanked if one ever does.
 */
export function createLogger(config: Pick<Config, "logLevel">): Logger {
  return pino({
    level: config.logLevel,
    base: { service: "claimgate" },
    redact: {
      paths: ["password", "*.password", "token", "*.token", "accessToken", "refreshToken", "*.accessToken", "*.refreshToken", "authorization", "*.authorization", "passwordHash", "*.passwordHash", "deviceToken", "*.deviceToken"],
      censor: "[redacted]",
    },
  });
}
