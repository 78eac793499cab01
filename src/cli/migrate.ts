// `npm run db:migrate`: applies pending migrations to DATABASE_URL, as the server does at startup.
// Equivalent to `prisma migrate deploy`, without Prisma's native engine.
import { ConfigError } from "../config/config-error.js";
import { loadConfig } from "../config/load-config.js";
import { describeDatabaseStartupFailure } from "../db/describe-database-failure.js";
import { isDatabaseInUse } from "../db/database-in-use-error.js";
import { migrateIfNeeded, pendingMigrations } from "../db/migrations.js";
import { databaseInUseAt } from "../db/database-in-use.js";
import { sqliteFilePath } from "../db/sqlite-url.js";

const inUse = (path: string) =>
  `db:migrate: ${path} is open in a running claimgate server, and applying migrations needs the database to itself.\n` +
  "Restart the server instead: it applies pending migrations when it starts (`npm run dev` restarts by itself when prisma/ changes).\n" +
  "Or stop the server, run `npm run db:migrate`, and start it again.\n";

try {
  const config = loadConfig({ requireSigningKeys: false, requireMailer: false });
  const options = { databaseUrl: config.databaseUrl };
  const pending = await pendingMigrations(options);
  const path = pending.length === 0 ? null : databaseInUseAt(config.databaseUrl);
  if (pending.length === 0) {
    process.stdout.write("the database is up to date\n");
  } else if (path !== null) {
    process.stderr.write(inUse(path));
    process.exitCode = 1;
  } else {
    // A server starting between the check and the migration still gets the same answer.
    const applied = await migrateIfNeeded({ ...options, waitForOthersMs: 0 }).catch((error: unknown) => {
      if (!isDatabaseInUse(error)) throw error;
      process.stderr.write(inUse(sqliteFilePath(config.databaseUrl)));
      process.exitCode = 1;
      return [];
    });
    if (applied.length > 0) process.stdout.write(`applied: ${applied.join(", ")}\n`);
  }
} catch (error) {
  // A configuration mistake, or the database server down / refusing us: one line, no stack.
  const database = error instanceof ConfigError ? null : describeDatabaseStartupFailure(error, process.env["DATABASE_URL"] ?? "");
  if (!(error instanceof ConfigError) && !database) throw error;
  process.stderr.write(`db:migrate: ${database ?? (error as ConfigError).message}\n`);
  process.exitCode = 1;
}
// The PostgreSQL driver leaves a timer behind (the engine's pool); the work is done.
process.exit(process.exitCode ?? 0);
