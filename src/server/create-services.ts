import { createAccountService } from "../auth/accounts.js";
import { createAuthenticator, type Authenticator } from "../auth/authenticate.js";
import { loadOrCreateDevelopmentSecret } from "../auth/development-secret.js";
import { hashPassword } from "../auth/passwords.js";
import { createSessionService } from "../auth/sessions.js";
import { createHmacKeyRing, type KeyRing, loadKeyRing } from "../auth/signing-keys.js";
import type { Config } from "../config/config.js";
import { configureSqlite, openDatabase } from "../db/database.js";
import { migrateIfNeeded } from "../db/migrations.js";
import { seedDemoData } from "../db/seed-demo-data.js";
import type { Services } from "../graphql/context.js";
import { MIGRATIONS_DIR } from "../project-root.js";
import type { Logger } from "./logger.js";

export interface CreateServicesOptions {
  config: Config;
  logger: Logger;
  clock: () => Date;
}

/** Migrates and opens the database, loads the signing key, and wires the services together. */
export async function createServices(options: CreateServicesOptions): Promise<Services & { authenticator: Authenticator; keys: KeyRing }> {
  const { config, logger, clock } = options;
  const applied = await migrateIfNeeded({ databaseUrl: config.databaseUrl, migrationsDir: MIGRATIONS_DIR });
  if (applied.length > 0) logger.info({ event: "migrations_applied", migrations: applied }, "applied database migrations");

  const db = openDatabase({ databaseUrl: config.databaseUrl });
  await configureSqlite(db);
  if (config.seedDemoUsers) await seedDemoData({ db, hashPassword });

  const keys = config.tokens.keyRing
    ? await loadKeyRing(config.tokens.keyRing)
    : await createHmacKeyRing(await loadOrCreateDevelopmentSecret(config.dataDir));
  const sessions = createSessionService({ db, keys, tokens: config.tokens, clock });
  const accounts = createAccountService({ db, sessions });
  const authenticator = createAuthenticator({ verification: { keys, tokens: config.tokens }, clock });
  return { db, sessions, accounts, clock, authenticator, keys };
}
