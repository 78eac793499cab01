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
  migrationsDir: string;
}

/** Applies every migration not yet recorded in `_prisma_migrations`; returns their names. */
export async function applyMigrations(options: ApplyMigrationsOptions): Promise<string[]> {
  // Created private (0700 folder, 0600 file) by whoever gets here first: the server or `npm run db:migrate`.
  await ensurePrivateDatabaseFile(options.databaseUrl);
  const { engine, close } = await openSchemaEngine({ databaseUrl: options.databaseUrl });
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: await readMigrationList(options.migrationsDir),
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
  const { migrationDirectories } = await readMigrationList(options.migrationsDir);
  const applied = new Set(readAppliedMigrations(options.databaseUrl));
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
 * Writes the SQL that takes the existing migrations to the current schema.prisma
 * into a new migration folder. Returns its folder name, or null when nothing changed.
 */
export async function createMigration(options: CreateMigrationOptions): Promise<string | null> {
  const content = await readFile(options.schemaPath, "utf8");
  // The engine's own "diff from migrations" needs a shadow database the SQLite driver adapter
  // cannot feed multi-statement scripts to, so the history is replayed into a scratch file.
  const scratch = await mkdtemp(join(tmpdir(), "claimgate-migration-"));
  try {
    const databaseUrl = `file:${join(scratch, "history.db")}`;
    await applyMigrations({ databaseUrl, migrationsDir: options.migrationsDir });
    const { engine, close } = await openSchemaEngine({ databaseUrl });
    let script: string | null;
    try {
      const files = [{ path: options.schemaPath, content }];
      ({ stdout: script } = await engine.diff({
        from: { tag: "schemaDatasource", files, configDir: dirname(options.schemaPath) },
        to: { tag: "schemaDatamodel", files },
        script: true,
        exitCode: null,
        filters: NO_FILTER,
      }));
    } finally {
      await close();
    }
    if (!script || /^-- This is an empty migration\.\s*$/.test(script.trim())) return null;
    const folder = `${migrationTimestamp(options.now ?? new Date())}_${options.name}`;
    await mkdir(join(options.migrationsDir, folder), { recursive: true });
    await writeFile(join(options.migrationsDir, folder, MIGRATION_FILE), script);
    if ((await readMigrationList(options.migrationsDir)).lockfile.content === null) {
      await writeFile(
        join(options.migrationsDir, LOCKFILE),
        '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "sqlite"\n',
      );
    }
    return folder;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function migrationTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}
