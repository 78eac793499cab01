// Reads and applies migrations kept in Prisma's own format
// (prisma/migrations/<timestamp>_<name>/migration.sql + migration_lock.toml),
// so `prisma migrate deploy` works unchanged wherever Prisma's native engine is installed.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { existsSync } from "node:fs";
import Sqlite from "better-sqlite3";
import { dirname, join } from "node:path";
import type { MigrationList, SchemaFilter } from "@prisma/schema-engine-wasm/schema_engine_bg";
import { openSchemaEngine } from "./schema-engine.js";
import { isDatabaseInUse } from "./database-in-use-error.js";
import { ensurePrivateDatabaseFile } from "./private-files.js";
import { sqliteFilePath } from "./sqlite-url.js";
import { isPostgresUrl } from "./database-url.js";
import { openPostgresSchemaEngine } from "./postgres-schema-engine.js";
import { readAppliedPostgresMigrations } from "./postgres-database.js";
import { MIGRATIONS_DIR, POSTGRES_MIGRATIONS_DIR } from "../project-root.js";

const LOCKFILE = "migration_lock.toml";
const MIGRATION_FILE = "migration.sql";
const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

export async function readMigrationList(migrationsDir: string): Promise<MigrationList> {
  const lockfileContent = await readFile(join(migrationsDir, LOCKFILE), "utf8").catch(() => null);
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch(() => []);
  const migrationDirectories = await Promise.all(
    entries
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort()
      .map(async (name) => ({
        path: name,
        migrationFile: {
          path: MIGRATION_FILE,
          content: await readFile(join(migrationsDir, name, MIGRATION_FILE), "utf8").then(
            (value) => ({ tag: "ok" as const, value }),
            (error: Error) => ({ tag: "error" as const, value: error.message }),
          ),
        },
      })),
  );
  return {
    baseDir: migrationsDir,
    lockfile: { path: LOCKFILE, content: lockfileContent },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

export interface ApplyMigrationsOptions {
  databaseUrl: string;
  /** @default prisma/migrations for SQLite, prisma/postgres/migrations for PostgreSQL */
  migrationsDir?: string;
}

/** The migration history for the database the URL names. */
export function migrationsDirFor(databaseUrl: string): string {
  return isPostgresUrl(databaseUrl) ? POSTGRES_MIGRATIONS_DIR : MIGRATIONS_DIR;
}

/**
 * Applies every migration not yet recorded in `_prisma_migrations`; returns their names.
 * On PostgreSQL the engine holds an advisory lock while it applies, so processes starting
 * together on one empty database apply each migration once: the others wait, then find nothing to do.
 */
export async function applyMigrations(options: ApplyMigrationsOptions): Promise<string[]> {
  const postgres = isPostgresUrl(options.databaseUrl);
  // Created private (0700 folder, 0600 file) by whoever gets here first: the server or `npm run db:migrate`.
  // (A file concern only: PostgreSQL's server owns its files.)
  if (!postgres) await ensurePrivateDatabaseFile(options.databaseUrl);
  const { engine, close } = await (postgres ? openPostgresSchemaEngine : openSchemaEngine)({ databaseUrl: options.databaseUrl });
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: await readMigrationList(options.migrationsDir ?? migrationsDirFor(options.databaseUrl)),
      filters: NO_FILTER,
    });
    return appliedMigrationNames;
  } finally {
    await close();
  }
}

/** Names of migrations the database has finished applying, read from Prisma's `_prisma_migrations` table. */
export function readAppliedMigrations(databaseUrl: string): string[] {
  const path = sqliteFilePath(databaseUrl);
  if (!existsSync(path)) return [];
  const sqlite = new Sqlite(path, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    const table = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
    if (!table) return [];
    const rows = sqlite
      .prepare("SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL")
      .all() as { migration_name: string }[];
    return rows.map((row) => row.migration_name);
  } finally {
    sqlite.close();
  }
}

/** Names of the migrations in the folder that the database has not finished applying. */
export async function pendingMigrations(options: ApplyMigrationsOptions): Promise<string[]> {
  const { migrationDirectories } = await readMigrationList(options.migrationsDir ?? migrationsDirFor(options.databaseUrl));
  const applied = new Set(
    isPostgresUrl(options.databaseUrl) ? await readAppliedPostgresMigrations(options.databaseUrl) : readAppliedMigrations(options.databaseUrl),
  );
  return migrationDirectories.map((directory) => directory.path).filter((name) => !applied.has(name));
}

export interface MigrateIfNeededOptions extends ApplyMigrationsOptions {
  /**
   * How long to keep trying while another process has the database open. Processes started
   * together on a new database all find migrations pending; one applies them, and the others
   * must wait for it and then find nothing left to do, not fail. @default 15000
   */
  waitForOthersMs?: number;
}

/**
 * Applies pending migrations, and only then starts the schema engine: it takes an exclusive
 * lock on the file, which would fail while other server processes have the database open.
 * When it does fail so, the pending list is read again: another process starting at the same
 * time may have applied them meanwhile. A server of an older version that keeps the file open
 * still gets the error, once the wait is over.
 */
export async function migrateIfNeeded(options: MigrateIfNeededOptions): Promise<string[]> {
  // PostgreSQL: always through the engine, whose advisory lock makes check-and-apply one step.
  if (isPostgresUrl(options.databaseUrl)) return applyMigrations(options);
  const deadline = Date.now() + (options.waitForOthersMs ?? 15_000);
  for (let pause = 50; ; pause = Math.min(pause * 2, 500)) {
    if ((await pendingMigrations(options)).length === 0) return [];
    try {
      return await applyMigrations(options);
    } catch (error) {
      if (!isDatabaseInUse(error) || Date.now() >= deadline) throw error;
      await sleep(pause);
    }
  }
}

export interface CreateMigrationOptions {
  migrationsDir: string;
  schemaPath: string;
  name: string;
  now?: Date;
}

/**
 * Writes the SQL that takes the existing SQLite migrations to the current schema.prisma
 * into a new migration folder. Returns its folder name, or null when nothing changed.
 */
export async function createMigration(options: CreateMigrationOptions): Promise<string | null> {
  const script = await sqliteMigrationScript(options);
  if (script === null) return null;
  const folder = migrationFolderName(options.name, options.now ?? new Date());
  await writeMigration({ migrationsDir: options.migrationsDir, folder, script, provider: "sqlite" });
  return folder;
}

/** The SQL taking the SQLite history to the schema, or null when they match. */
export async function sqliteMigrationScript(options: { migrationsDir: string; schemaPath: string }): Promise<string | null> {
  const content = await readFile(options.schemaPath, "utf8");
  // The engine's own "diff from migrations" needs a shadow database the SQLite driver adapter
  // cannot feed multi-statement scripts to, so the history is replayed into a scratch file.
  const scratch = await mkdtemp(join(tmpdir(), "claimgate-migration-"));
  try {
    const databaseUrl = `file:${join(scratch, "history.db")}`;
    await applyMigrations({ databaseUrl, migrationsDir: options.migrationsDir });
    const { engine, close } = await openSchemaEngine({ databaseUrl });
    try {
      const files = [{ path: options.schemaPath, content }];
      const { stdout } = await engine.diff({
        from: { tag: "schemaDatasource", files, configDir: dirname(options.schemaPath) },
        to: { tag: "schemaDatamodel", files },
        script: true,
        exitCode: null,
        filters: NO_FILTER,
      });
      return meaningful(stdout);
    } finally {
      await close();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The SQL taking the PostgreSQL history to the (generated) PostgreSQL schema, or null when they
 * match. The engine replays the history into a shadow database it creates on the server at
 * `databaseUrl` (the user needs CREATEDB) and drops afterwards; the database itself is not touched.
 */
export async function postgresMigrationScript(options: { migrationsDir: string; schemaPath: string; databaseUrl: string }): Promise<string | null> {
  const content = await readFile(options.schemaPath, "utf8");
  const { engine, close } = await openPostgresSchemaEngine({ databaseUrl: options.databaseUrl });
  try {
    const files = [{ path: options.schemaPath, content }];
    const { stdout } = await engine.diff({
      from: { tag: "migrations", ...(await readMigrationList(options.migrationsDir)) },
      to: { tag: "schemaDatamodel", files },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    return meaningful(stdout);
  } finally {
    await close();
  }
}

const meaningful = (script: string | null | undefined): string | null =>
  !script || /^-- This is an empty migration\.\s*$/.test(script.trim()) ? null : script;

export function migrationFolderName(name: string, now: Date): string {
  return `${now.toISOString().replace(/[-:T]/g, "").slice(0, 14)}_${name}`;
}

/** Writes `<folder>/migration.sql`, and the lockfile naming the provider when there is none yet. */
export async function writeMigration(options: { migrationsDir: string; folder: string; script: string; provider: "sqlite" | "postgresql" }): Promise<void> {
  await mkdir(join(options.migrationsDir, options.folder), { recursive: true });
  await writeFile(join(options.migrationsDir, options.folder, MIGRATION_FILE), options.script);
  if ((await readMigrationList(options.migrationsDir)).lockfile.content === null) {
    await writeFile(
      join(options.migrationsDir, LOCKFILE),
      `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${options.provider}"\n`,
    );
  }
}
