// `npm run db:migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql
// with the SQL that takes the existing migrations to the current prisma/schema.prisma, then
// regenerates the Prisma client, so code can use the new model at once. Works offline
// (WebAssembly schema engine); the SQL is what `prisma migrate dev` would write. The server
// (and `npm run dev`, which restarts on the change) applies it at startup; so does `npm run db:migrate`.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { createMigration } from "../db/migrations.js";
import { MIGRATIONS_DIR, PRISMA_SCHEMA_PATH, PROJECT_ROOT } from "../project-root.js";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  process.stderr.write("usage: npm run db:migration -- <name>   (lower-case letters, digits and _)\n");
  process.exit(2);
}
const folder = await createMigration({ migrationsDir: MIGRATIONS_DIR, schemaPath: PRISMA_SCHEMA_PATH, name });
if (!folder) {
  process.stdout.write("schema.prisma matches the migrations: nothing to do\n");
} else {
  process.stdout.write(`created prisma/migrations/${folder}/migration.sql\n`);
  const generated = spawnSync(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, "src/cli/generate.ts"), "--prisma-only"], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (generated.status !== 0) {
    process.stderr.write("db:migration: the migration is written, but regenerating the Prisma client failed; run `npm run generate`\n");
    process.exit(1);
  }
  process.stdout.write("regenerated the Prisma client (src/db/generated)\n");
}
