// `npm run db:migration -- <name>`: writes the SQL that takes the existing migrations to the
// current prisma/schema.prisma, for both databases, under one folder name:
//   prisma/migrations/<timestamp>_<name>/migration.sql            SQLite
//   prisma/postgres/migrations/<timestamp>_<name>/migration.sql   PostgreSQL
// then regenerates prisma/postgres/schema.prisma and both Prisma clients, so code can use the new
// model at once. Works offline (WebAssembly schema engine); the SQL is what `prisma migrate dev`
// would write. The server (and `npm run dev`, which restarts on the change) applies it at startup;
// so does `npm run db:migrate`.
//
// The PostgreSQL diff replays the history into a shadow database, so it needs a server: the one
// DATABASE_URL names when it is a PostgreSQL URL (its user needs CREATEDB; the database itself is
// not touched), else a throwaway cluster started from the installed binaries and deleted
// afterwards. Without either, nothing is written, so the two histories never drift apart, unless
// `--sqlite-only` is given: then only the SQLite migration is written, and `npm test` (generate
// --check) fails until its PostgreSQL twin exists.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { isPostgresUrl } from "../db/database-url.js";
import { migrationFolderName, postgresMigrationScript, sqliteMigrationScript, writeMigration } from "../db/migrations.js";
import { postgresSchemaOf } from "../db/postgres-schema.js";
import { findPostgresBinaries, startThrowawayCluster, type ThrowawayCluster } from "../db/throwaway-postgres.js";
import { readFileSync, writeFileSync } from "node:fs";
import { MIGRATIONS_DIR, POSTGRES_MIGRATIONS_DIR, POSTGRES_SCHEMA_PATH, PRISMA_SCHEMA_PATH, PROJECT_ROOT } from "../project-root.js";

const fail = (message: string): never => {
  process.stderr.write(`db:migration: ${message}\n`);
  process.exit(1);
};

const sqliteOnly = process.argv.includes("--sqlite-only");
const name = process.argv.slice(2).find((arg) => !arg.startsWith("--"));
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  process.stderr.write("usage: npm run db:migration -- <name> [--sqlite-only]   (name: lower-case letters, digits and _)\n");
  process.exit(2);
}

// The PostgreSQL schema first: its diff reads it.
writeFileSync(POSTGRES_SCHEMA_PATH, postgresSchemaOf(readFileSync(PRISMA_SCHEMA_PATH, "utf8")));

const configured = process.env["DATABASE_URL"];
let cluster: ThrowawayCluster | null = null;
let postgresUrl: string | null = null;
if (configured && isPostgresUrl(configured)) {
  postgresUrl = configured;
} else if (await findPostgresBinaries()) {
  cluster = await startThrowawayCluster();
  postgresUrl = cluster.urlFor("postgres");
} else if (!sqliteOnly) {
  fail(
    "the PostgreSQL migration needs a PostgreSQL server: install PostgreSQL 15 or newer (apt-get install postgresql; " +
      "a throwaway cluster is then started for the diff), or set DATABASE_URL to a postgresql:// URL whose user may CREATEDB. " +
      "Nothing was written. (`-- <name> --sqlite-only` writes the SQLite migration alone; `npm test` then fails until its PostgreSQL twin exists.)",
  );
}
let scripts: { sqlite: string | null; postgres: string | null };
try {
  scripts = {
    sqlite: await sqliteMigrationScript({ migrationsDir: MIGRATIONS_DIR, schemaPath: PRISMA_SCHEMA_PATH }),
    postgres:
      postgresUrl === null
        ? null
        : await postgresMigrationScript({ migrationsDir: POSTGRES_MIGRATIONS_DIR, schemaPath: POSTGRES_SCHEMA_PATH, databaseUrl: postgresUrl }),
  };
} finally {
  await cluster?.destroy();
}

if (scripts.sqlite === null && scripts.postgres === null) {
  process.stdout.write("schema.prisma matches the migrations: nothing to do\n");
  process.exit(0);
}
const folder = migrationFolderName(name, new Date());
// Both histories get the folder, so they stay twins (checked by `npm run generate -- --check`).
const none = "-- Nothing to change on this database for this migration.\nSELECT 1;\n";
await writeMigration({ migrationsDir: MIGRATIONS_DIR, folder, script: scripts.sqlite ?? none, provider: "sqlite" });
process.stdout.write(`created prisma/migrations/${folder}/migration.sql\n`);
if (postgresUrl !== null) {
  await writeMigration({ migrationsDir: POSTGRES_MIGRATIONS_DIR, folder, script: scripts.postgres ?? none, provider: "postgresql" });
  process.stdout.write(`created prisma/postgres/migrations/${folder}/migration.sql\n`);
} else {
  process.stdout.write(`NOT created: prisma/postgres/migrations/${folder} (--sqlite-only); create it where PostgreSQL is installed\n`);
}
const generated = spawnSync(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, "src/cli/generate.ts"), "--prisma-only"], {
  cwd: PROJECT_ROOT,
  stdio: ["ignore", "ignore", "inherit"],
});
if (generated.status !== 0) {
  fail("the migrations are written, but regenerating the Prisma clients failed; run `npm run generate`");
}
process.stdout.write("regenerated the Prisma clients (src/db/generated, src/db/generated-postgres)\n");
// The PostgreSQL driver can leave a timer behind; the work is done.
process.exit(0);
