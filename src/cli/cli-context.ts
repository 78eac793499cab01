import { pino } from "pino";
import type { Config } from "../config/config.js";
import { loadConfig, readEnvironment } from "../config/load-config.js";
import type { EnvironmentVariables } from "../config/parse-config.js";
import { createServices, type ServerServices } from "../server/create-services.js";
import { usageError } from "./cli-error.js";

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** What a command runs with: where it writes, and the environment it is configured from. */
export interface CliContext {
  readonly io: CliIo;
  /** @default process.env over `.env` (see readEnvironment) */
  readonly env: EnvironmentVariables;
  /** Injected so tests share the server's clock. @default () => new Date() */
  readonly clock?: () => Date;
}

export const currentTime = (context: CliContext): Date => (context.clock ? context.clock() : new Date());

export function processContext(): CliContext {
  return { io: processIo, env: readEnvironment() };
}

/** Configuration for a command; only commands that sign or verify tokens need keys in production. */
export function commandConfig(context: CliContext, options: { signsOrVerifiesTokens: boolean }): Config {
  // Command-line tools send no mail: production's SMTP_URL requirement is the server's.
  return loadConfig({ env: context.env, requireSigningKeys: options.signsOrVerifiesTokens, requireMailer: false });
}

/**
 * The services the server uses, on the configured database (migrated, never seeded), without
 * what only a server needs: no keys are loaded and no revocation sync runs.
 */
export async function withServices<T>(context: CliContext, run: (services: ServerServices, config: Config) => Promise<T>): Promise<T> {
  const config = { ...commandConfig(context, { signsOrVerifiesTokens: false }), seedDemoUsers: false };
  const services = await createServices({
    config,
    logger: pino({ level: "silent" }),
    clock: context.clock ?? (() => new Date()),
    needs: { signingKeys: false, revocationSync: false },
  });
  try {
    return await run(services, config);
  } finally {
    await services.close();
  }
}

/**
 * Runs a node:util parseArgs call (strict, so unknown options are refused) and turns its
 * complaints into usage errors that show the command's help.
 */
export function withUsageErrors<T>(help: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) throw usageError(`${(error as Error).message}\n\n${help}`);
    throw error;
  }
}
