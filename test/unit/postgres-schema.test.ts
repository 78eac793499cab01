import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { missingPostgresTwins } from "../../src/db/migration-twins.js";
import { postgresSchemaOf } from "../../src/db/postgres-schema.js";
import { PRISMA_SCHEMA_PATH } from "../../src/project-root.js";

describe("postgresSchemaOf", () => {
  it("swaps only the provider and the client's folder", () => {
    const sqlite = readFileSync(PRISMA_SCHEMA_PATH, "utf8");
    const postgres = postgresSchemaOf(sqlite);
    expect(postgres).toContain('provider = "postgresql"');
    expect(postgres).toContain('output              = "../../src/db/generated-postgres"');
    const body = postgres.slice(postgres.indexOf("\n\n") + 2);
    expect(body.replace('"postgresql"', '"sqlite"').replace('"../../src/db/generated-postgres"', '"../src/db/generated"')).toBe(sqlite);
  });

  it("refuses a schema it cannot derive from, rather than writing a wrong one", () => {
    expect(() => postgresSchemaOf('datasource db {\n  provider = "mysql"\n}\n')).toThrow(/cannot derive the PostgreSQL schema/);
  });
});

describe("missingPostgresTwins", () => {
  it("asks a PostgreSQL twin of every SQLite migration after the baseline", async () => {
    const root = await mkdtemp(join(tmpdir(), "claimgate-twins-"));
    try {
      const make = (dir: string, name: string) => mkdir(join(root, dir, name), { recursive: true });
      await make("sqlite", "20260101000000_init");
      await make("sqlite", "20260201000000_second");
      await make("postgres", "20260101000000_postgres_baseline");
      await make("sqlite", "20260301000000_third");
      await make("sqlite", "20260401000000_fourth");
      await make("postgres", "20260401000000_fourth");
      expect(await missingPostgresTwins(join(root, "sqlite"), join(root, "postgres"))).toEqual(["20260201000000_second", "20260301000000_third"]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
