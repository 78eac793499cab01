import { postgresMigrationScript, writeMigration } from "./src/db/migrations.js";
import { startThrowawayCluster } from "./src/db/throwaway-postgres.js";
import { POSTGRES_MIGRATIONS_DIR, POSTGRES_SCHEMA_PATH } from "./src/project-root.js";
import pg from "pg";
const c = await startThrowawayCluster();
try {
  const t = Date.now();
  const script = await postgresMigrationScript({ migrationsDir: POSTGRES_MIGRATIONS_DIR, schemaPath: POSTGRES_SCHEMA_PATH, databaseUrl: c.urlFor("postgres") });
  console.log(Date.now() - t, "ms");
  const cl = new pg.Client(c.urlFor("postgres")); await cl.connect(); console.log((await cl.query("select datname from pg_database")).rows); await cl.end();
  await writeMigration({ migrationsDir: POSTGRES_MIGRATIONS_DIR, folder: "20261125190914_postgres_baseline", script: script!, provider: "postgresql" });
} finally { await c.destroy(); }
process.exit(0);
