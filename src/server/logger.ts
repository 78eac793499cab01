import { pino, type DestinationStream, type Logger } from "pino";
import { PinoPretty } from "pino-pretty";
import type { Config } from "../config/config.js";

export type { Logger };

export interface CreateLoggerOptions {
  /** Whether stdout is a terminal, for LOG_FORMAT=auto. @default process.stdout.isTTY */
  readonly terminal?: boolean;
  /** Where lines go. @default stdout */
  readonly destination?: DestinationStream;
}

/** The format LOG_FORMAT asks for: `auto` is readable lines on a terminal, JSON lines otherwise. */
export function resolveLogFormat(config: Pick<Config, "logFormat">, terminal: boolean): "pretty" | "json" {
  return config.logFormat === "auto" ? (terminal ? "pretty" : "json") : config.logFormat;
}

/**
 * Structured logs: JSON lines for machines, or one readable line per event on a terminal.
 * Redaction is a second line of defence: no code path logs a token, password or hash, and these
 * paths are blanked if one ever does.
 */
export function createLogger(config: Pick<Config, "logLevel" | "logFormat">, options: CreateLoggerOptions = {}): Logger {
  const terminal = options.terminal ?? process.stdout.isTTY === true;
  const pretty = resolveLogFormat(config, terminal) === "pretty";
  const settings = {
    level: config.logLevel,
    base: { service: "claimgate" },
    redact: {
      paths: ["password", "*.password", "token", "*.token", "accessToken", "refreshToken", "*.accessToken", "*.refreshToken", "authorization", "*.authorization", "passwordHash", "*.passwordHash", "deviceToken", "*.deviceToken"],
      censor: "[redacted]",
    },
  };
  if (!pretty) return options.destination ? pino(settings, options.destination) : pino(settings);
  // Synchronous, in this thread: lines interleave in order with the banner, and nothing is lost at exit.
  const stream = PinoPretty({
    sync: true,
    colorize: terminal,
    translateTime: "SYS:HH:MM:ss",
    ignore: "pid,hostname,service",
    singleLine: true,
    ...(options.destination ? { destination: options.destination } : {}),
  });
  return pino(settings, stream);
}
