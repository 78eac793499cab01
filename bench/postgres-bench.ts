// 10. The database-bound measures again on PostgreSQL: a throwaway cluster (Debian's binaries),
//     one fresh database per measure, removed afterwards.
import pg from "pg";
import { findPostgresBinaries, startThrowawayCluster } from "../src/db/throwaway-postgres.js";
import type { SyncCurve } from "./growth-bench.js";
import type { AuthOnDatabase } from "./http-bench.js";
import type { RevocationLatency, RevocationLatencyOptions } from "./revocation-latency-bench.js";

export interface PostgresResults {
  version: string;
  auth: AuthOnDatabase;
  latency: RevocationLatency;
  fullSync: SyncCurve;
}

export interface RunOnPostgresOptions {
  quick: boolean;
  benchAuthOn: (databaseUrl: string | null) => Promise<AuthOnDatabase>;
  benchRevocationLatency: (options: RevocationLatencyOptions) => Promise<RevocationLatency>;
  benchFullSync: (options: { sizes: number[]; databaseUrl?: string }) => Promise<SyncCurve>;
}

/** Null when PostgreSQL's binaries are not installed. */
export async function runOnPostgres(options: RunOnPostgresOptions): Promise<PostgresResults | null> {
  if (!(await findPostgresBinaries())) return null;
  const cluster = await startThrowawayCluster();
  let next = 0;
  const freshDatabase = async () => {
    const name = `bench_${++next}`;
    const admin = new pg.Client(cluster.urlFor("postgres"));
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
    } finally {
      await admin.end();
    }
    return cluster.urlFor(name);
  };
  try {
    const admin = new pg.Client(cluster.urlFor("postgres"));
    await admin.connect();
    const version = (await admin.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version;
    await admin.end();
    const auth = await options.benchAuthOn(await freshDatabase());
    const latency = await options.benchRevocationLatency({ trials: options.quick ? 10 : 50, concurrency: 5, pollMs: 2, databaseUrl: await freshDatabase() });
    // Filling PostgreSQL goes through the ORM in batches: 1M rows would take minutes, so the curve stops at 100k.
    const fullSync = await options.benchFullSync({ sizes: options.quick ? [10_000] : [10_000, 100_000, 1_000_000], databaseUrl: await freshDatabase() });
    return { version, auth, latency, fullSync };
  } finally {
    await cluster.destroy();
  }
}
