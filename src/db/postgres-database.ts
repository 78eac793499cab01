import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient as PostgresPrismaClient } from "./generated-postgres/client.js";

/** How long opening a connection may take before the request fails (503) instead of hanging. */
export const POSTGRES_CONNECT_TIMEOUT_MS = 3000;

export interface OpenPostgresOptions {
  /** `postgres://` or `postgresql://` URL. */
  databaseUrl: string;
  /** @default 10 */
  poolSize?: number;
}

export interface PostgresHandle {
  readonly client: PostgresPrismaClient;
  readonly pool: pg.Pool;
}

/** The pool's settings: every session in UTC, and an unreachable server noticed within seconds. */
export function postgresPoolConfig(databaseUrl: string, poolSize = 10): pg.PoolConfig {
  return {
    connectionString: databaseUrl,
    max: poolSize,
    connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
    // Raw SQL's CURRENT_TIMESTAMP and timestamp(3) conversions must not follow the server's zone.
    options: "-c TimeZone=UTC",
    keepAlive: true,
    // Idle connections must not keep a finished process (a CLI command) alive for the idle timeout.
    allowExitOnIdle: true,
  };
}

/**
 * A Prisma client over a pg pool. No PRAGMAs, no file: PostgreSQL serialises writers itself, and
 * a failed connection is retried by the pool on the next query, so an outage heals by itself.
 */
export function openPostgres(options: OpenPostgresOptions): PostgresHandle {
  const pool = new pg.Pool(postgresPoolConfig(options.databaseUrl, options.poolSize));
  // An idle connection that the server closes (restart, failover) must not crash the process;
  // the pool drops it and the next query opens a fresh one.
  pool.on("error", () => {});
  const client = new PostgresPrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  return { client, pool };
}

/** Names of migrations the database has finished applying; none when `_prisma_migrations` is absent. */
export async function readAppliedPostgresMigrations(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client(postgresPoolConfig(databaseUrl));
  await client.connect();
  try {
    const exists = await client.query<{ present: boolean }>("SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present");
    if (!exists.rows[0]?.present) return [];
    const rows = await client.query<{ migration_name: string }>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    );
    return rows.rows.map((row) => row.migration_name);
  } finally {
    await client.end();
  }
}
