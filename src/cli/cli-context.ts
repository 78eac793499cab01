import { pino } from "pino";
import type { Config } from "../config/config.js";
import { loadConfig, readEnvironment } from "../config/load-config.js";
import type { EnvironmentVariables } from "../config/parse-config.js";
import type { AccountService } from "../auth/accounts.js";
import { RevokedSessions } from "../auth/revoked-sessions.js";
import type { Database } from "../db/database.js";
import { createAccountServices } from "../services/account-services.js";
import { keysNotLoaded } from "../services/keys-not-loaded.js";
import { openServiceDatabase } from "../services/open-service-database.js";
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

/** What every data command works on: the configured database (migrated, never seeded). */
export interface CommandDatabase {
  readonly db: Database;
  readonly config: Config;
}

/** What the commands that end sessions or lift locks need besides: the account services. */
export interface CommandAccounts extends CommandDatabase {
  readonly accounts: AccountService;
}

const commandLogger = () => pino({ level: "silent" });

/**
 * Opens the database for one command and closes it after. Nothing else: no key is loaded, no
 * revocation or role sync starts, no mailer or issuer key set is created (`user list` reads rows).
 */
export async function withDatabase<T>(context: CliContext, run: (services: CommandDatabase) => Promise<T>): Promise<T> {
  const config = { ...commandConfig(context, { signsOrVerifiesTokens: false }), seedDemoUsers: false };
  const db = await openServiceDatabase({ config, logger: commandLogger(), clock: context.clock ?? (() => new Date()) });
  try {
    return await run({ db, config });
  } finally {
    await db.$disconnect();
  }
}

/**
 * The database and the account services, for commands that end sessions (delete, disable) or lift
 * locks (unlock). Sessions end in the database, where running servers' revocation sync reads them,
 * so this process starts no sync of its own and, signing no token, loads no key.
 */
export async function withAccounts<T>(context: CliContext, run: (services: CommandAccounts) => Promise<T>): Promise<T> {
  return withDatabase(context, async ({ db, config }) => {
    const clock = context.clock ?? (() => new Date());
    const logger = commandLogger();
    // Never started: the sessions this command ends are recorded in the database, which servers sync from.
    const revoked = new RevokedSessions({
      db,
      syncIntervalMs: config.revocationSyncSeconds * 1000,
      retentionMs: (config.tokens.accessTokenTtlSeconds + config.tokens.clockToleranceSeconds + 60) * 1000,
      clock,
      onError: () => {},
    });
    const { accounts, mailer } = createAccountServices({ config, db, logger, clock, keys: keysNotLoaded, revoked });
    try {
      return await run({ db, config, accounts });
    } finally {
      await mailer.close();
    }
  });
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
