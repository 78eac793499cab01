/**
 * Which database a DATABASE_URL names: `file:` is SQLite (the default), `postgres://` and
 * `postgresql://` are PostgreSQL (15 or newer). Only src/db and config parsing ask this (src/db through db/database-url.ts).
 */
export type DatabaseKind = "sqlite" | "postgres";

export function databaseKindOf(databaseUrl: string): DatabaseKind | null {
  if (databaseUrl.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) return "postgres";
  return null;
}

export const isPostgresUrl = (databaseUrl: string): boolean => databaseKindOf(databaseUrl) === "postgres";
