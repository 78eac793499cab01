import { createHash } from "node:crypto";
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
  /** How long a statement waits for a lock (PostgreSQL's lock_timeout; DB_BUSY_TIMEOUT). @default 5000 */
  lockTimeoutMs?: number;
  /** How long a statement may run (statement_timeout; DB_STATEMENT_TIMEOUT); 0: no limit. @default 30000 */
  statementTimeoutMs?: number;
}

export interface PostgresPoolOptions {
  /** @default 10 */
  poolSize?: number;
  /** PostgreSQL's lock_timeout for every session of the pool; none when absent. */
  lockTimeoutMs?: number;
  /** statement_timeout for every session, and pg's client-side query_timeout a little above it; none when absent or 0. */
  statementTimeoutMs?: number;
}

/** How much longer than statement_timeout the client waits for an answer before giving the connection up. */
export const POSTGRES_QUERY_TIMEOUT_MARGIN_MS = 5000;

export interface PostgresHandle {
  readonly client: PostgresPrismaClient;
  readonly pool: pg.Pool;
}

/**
 * The pool's settings: every session in UTC, and an unreachable server noticed within seconds.
 * With `lockTimeoutMs` a statement waiting for a lock someone else holds (an operator's ALTER TABLE
 * or VACUUM FULL, a psql session left in a transaction) fails with 55P03 instead of waiting for as
 * long as the lock is held; with `statementTimeoutMs` a statement running longer is cancelled by
 * the server (57014), and the client itself gives up a little later (`query_timeout`) in case the
 * server cannot tell it (a network partition). Only the request pool gets these: the migrator
 * (postgres-schema-engine.ts) and the LISTEN connection (postgres-change-feed.ts) open their own
 * connections, so a long migration is never cut short.
 */
export function postgresPoolConfig(databaseUrl: string, options: PostgresPoolOptions = {}): pg.PoolConfig {
  const { poolSize = 10, lockTimeoutMs, statementTimeoutMs } = options;
  return {
    connectionString: databaseUrl,
    max: poolSize,
    // Also how long a request waits for a free connection. Requests waiting for a lock each hold
    // one until lock_timeout, so a request queued behind them must wait a little longer than that,
    // or a lock on one table would fail requests on every other table too.
    connectionTimeoutMillis: Math.max(POSTGRES_CONNECT_TIMEOUT_MS, lockTimeoutMs === undefined ? 0 : lockTimeoutMs + 1000),
    // Raw SQL's CURRENT_TIMESTAMP and timestamp(3) conversions must not follow the server's zone.
    options: "-c TimeZone=UTC",
    keepAlive: true,
    // Idle connections must not keep a finished process (a CLI command) alive for the idle timeout.
    allowExitOnIdle: true,
    // 0 would mean "wait for ever" to PostgreSQL: the shortest wait it knows is 1 ms.
    ...(lockTimeoutMs !== undefined ? { lock_timeout: Math.max(1, lockTimeoutMs) } : {}),
    ...(statementTimeoutMs ? { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + POSTGRES_QUERY_TIMEOUT_MARGIN_MS } : {}),
  };
}

/**
 * A Prisma client over a pg pool. No PRAGMAs, no file: PostgreSQL serialises writers itself, and
 * a failed connection is retried by the pool on the next query, so an outage heals by itself.
 */
export function openPostgres(options: OpenPostgresOptions): PostgresHandle {
  const pool = new pg.Pool(
    postgresPoolConfig(options.databaseUrl, {
      ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
      lockTimeoutMs: options.lockTimeoutMs ?? 5000,
      statementTimeoutMs: options.statementTimeoutMs ?? 30_000,
    }),
  );
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

const statementNames = new Map<string, string>();
/** Distinct direct statement texts are a few dozen; past this, names are computed afresh rather than kept. */
const MAX_STATEMENT_NAMES = 1000;

/**
 * The name a direct statement (direct-sql.ts) is prepared under on each pooled connection: a
 * digest of its text, so one text always gets one name and two texts never share one. Transaction
 * control (BEGIN, COMMIT, ROLLBACK) stays unnamed (the empty name): it has no plan to keep.
 */
export function postgresStatementName(text: string): string {
  if (text.length < 10 && /^(BEGIN|COMMIT|ROLLBACK)$/.test(text)) return "";
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `claimgate_${createHash("sha256").update(text).digest("base64url").slice(0, 32)}`;
    if (statementNames.size < MAX_STATEMENT_NAMES) statementNames.set(text, name);
  }
  return name;
}
