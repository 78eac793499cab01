// `npm run db:migrate`: applies pending migrations to DATABASE_URL, as the server does at startup.
// Equivalent to `prisma migrate deploy`, without Prisma's native engine.
import { loadConfig } from "../config/load-config.js";
import { migrateIfNeeded } from "../db/migrations.js";
import { MIGRATIONS_DIR } from "../project-root.js";

const config = loadConfig();
const applied = await migrateIfNeeded({ databaseUrl: config.databaseUrl, migrationsDir: MIGRATIONS_DIR });
process.stdout.write(applied.length ? `applied: ${applied.join(", ")}\n` : "the database is up to date\n");
