import { readdir } from "node:fs/promises";

/**
 * PostgreSQL's history starts with one baseline migration (`<timestamp>_postgres_baseline`) that
 * creates everything the SQLite migrations up to that timestamp created; every later migration
 * exists in both folders under the same name (`npm run db:migration` writes both). Returns the
 * SQLite migrations that lack their PostgreSQL twin, for `npm run generate -- --check`.
 */
export async function missingPostgresTwins(sqliteDir: string, postgresDir: string): Promise<string[]> {
  const folders = async (dir: string) =>
    (await readdir(dir, { withFileTypes: true }).catch(() => []))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  const sqlite = await folders(sqliteDir);
  const postgres = new Set(await folders(postgresDir));
  const baseline = [...postgres].find((name) => name.endsWith("_postgres_baseline"));
  const coveredUpTo = baseline ? baseline.slice(0, baseline.indexOf("_")) : "";
  return sqlite.filter((name) => name.slice(0, name.indexOf("_")) > coveredUpTo && !postgres.has(name));
}
