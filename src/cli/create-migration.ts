// `npm run db:migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql
// with the SQL that takes the existing migrations to the current prisma/schema.prisma.
// Works offline (WebAssembly schema engine); the result is what `prisma migrate dev` would write.
import { createMigration } from "../db/migrations.js";
import { MIGRATIONS_DIR, PRISMA_SCHEMA_PATH } from "../project-root.js";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  process.stderr.write("usage: npm run db:migration -- <name>   (lower-case letters, digits and _)\n");
  process.exit(2);
}
const folder = await createMigration({ migrationsDir: MIGRATIONS_DIR, schemaPath: PRISMA_SCHEMA_PATH, name });
process.stdout.write(folder ? `created prisma/migrations/${folder}/migration.sql\n` : "schema.prisma matches the migrations: nothing to do\n");
