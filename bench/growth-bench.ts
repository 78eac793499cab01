// 8. How cost grows: directive overhead per response size, memory of the per-process structures
//    (measured in fresh child processes), and the time of a full revocation sync per table size.
import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { promisify } from "node:util";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { execute, type ExecutionResult, parse } from "graphql";
import { pino } from "pino";
import { RevokedSessions } from "../src/auth/revoked-sessions.js";
import type { Database } from "../src/db/database.js";
import { parseConfig } from "../src/config/parse-config.js";
import { PROJECT_ROOT } from "../src/project-root.js";
import { openServiceDatabase } from "../src/services/open-service-database.js";
import { applyRequiresClaims } from "../src/authz/apply-requires-claims.js";
import { median, shuffle, table, timeAsync } from "./stats.js";

const TYPES = `type Query { posts: [Post!]! } type Post { id: ID! title: String! body: String! secretNote: String }`;
const DIRECTIVES = `
  directive @requiresClaims(claims: [String!]!) on OBJECT | INTERFACE | FIELD_DEFINITION
  directive @public on FIELD_DEFINITION
  type Query { posts: [Post!]! @requiresClaims(claims: ["permissions=posts:read"]) }
  type Post { id: ID! title: String! body: String! secretNote: String @requiresClaims(claims: ["role=admin"]) }`;
const DOCUMENT = parse("{ posts { id title body secretNote } }");
const ADMIN = { sub: "a", role: "admin", permissions: ["posts:read"] };

export interface DirectiveCurve {
  table: string;
  /** objects per response → claimgate's time over the baseline's (1.0 = no overhead). */
  ratios: Map<number, number>;
}

/** The same schema with and without @requiresClaims, responses of 10 to 10,000 posts (one guarded field each). */
export async function benchDirectiveCurve(options: { sizes: number[]; budgetMs: number; rounds: number }): Promise<DirectiveCurve> {
  const rows: (string | number)[][] = [];
  const ratios = new Map<number, number>();
  for (const size of options.sizes) {
    const posts = Array.from({ length: size }, (_, i) => ({ id: String(i), title: `Post ${i}`, body: "…", secretNote: `note ${i}` }));
    const resolvers = { Query: { posts: () => posts } };
    const plain = makeExecutableSchema({ typeDefs: TYPES, resolvers });
    const guarded = applyRequiresClaims(makeExecutableSchema({ typeDefs: DIRECTIVES, resolvers }));
    const variants = {
      baseline: async () => execute({ schema: plain, document: DOCUMENT }) as ExecutionResult,
      claimgate: async () => execute({ schema: guarded, document: DOCUMENT, contextValue: { auth: { claims: ADMIN } } }) as ExecutionResult,
    };
    const check = await variants.claimgate();
    if (check.errors || (check.data?.["posts"] as unknown[]).length !== size) throw new Error(`directive curve: ${size} posts not all returned`);
    // Warm both up (the JIT, graphql's caches), then as many operations per sample as fit the budget, at least 3.
    const perOp = await timeAsync(3, variants.baseline);
    const warmOps = Math.max(3, Math.round((options.budgetMs * 250) / perOp));
    await timeAsync(warmOps, variants.baseline);
    await timeAsync(warmOps, variants.claimgate);
    const ops = Math.max(3, Math.round((options.budgetMs * 1000) / options.rounds / 2 / perOp));
    const samples = { baseline: [] as number[], claimgate: [] as number[] };
    for (let round = 0; round < options.rounds; round++) {
      for (const name of shuffle(["baseline", "claimgate"] as const)) samples[name].push(await timeAsync(ops, variants[name]));
    }
    const ratio = median(samples.claimgate.map((us, round) => us / samples.baseline[round]!));
    ratios.set(size, ratio);
    const base = median(samples.baseline);
    const guardedUs = median(samples.claimgate);
    rows.push([size.toLocaleString("en"), (size + 1).toLocaleString("en"), base, guardedUs, `${((ratio - 1) * 100).toFixed(0)} %`, (guardedUs - base) / (size + 1)]);
  }
  return {
    table: table(["posts per response", "field checks", "µs / op, no directives", "µs / op, claimgate", "overhead (median of per-round ratios)", "µs per check"], rows),
    ratios,
  };
}

interface Measured {
  heap: number;
  buffers: number;
  extra?: Record<string, number>;
}

async function measureInChild(kind: string, count: number): Promise<Measured> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "--import", "tsx", join(PROJECT_ROOT, "bench", "memory-child.ts"), kind, String(count)], {
    cwd: PROJECT_ROOT,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as Measured;
}

export interface MemoryCurve {
  table: string;
  /** Bytes the ended-session set holds at 1M entries, measured. */
  endedSessionsAtMillion: number;
  /** Bytes per verified-token cache entry, measured at the largest size run. */
  tokenCacheBytesPerEntry: number;
  tokenLength: number;
}

const MB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/**
 * Heap and array-buffer growth after full collections in a fresh process per point: the
 * ended-session set, the Map<string, number> it replaced, and the verified-token cache (with the
 * principal kept beside each entry). Token-cache points above `tokenCacheMeasuredUpTo` are
 * extrapolated from the slope of the largest measured one (signing a million tokens takes minutes).
 */
export async function benchMemory(options: { sizes: number[]; tokenCacheMeasuredUpTo: number }): Promise<MemoryCurve> {
  const rows: (string | number)[][] = [];
  let endedSessionsAtMillion = Number.NaN;
  let slope = Number.NaN;
  let tokenLength = 0;
  for (const size of options.sizes) {
    const compact = await measureInChild("ended-sessions", size);
    const map = await measureInChild("ended-sessions-map", size);
    const compactBytes = compact.heap + compact.buffers;
    if (size === 1_000_000) endedSessionsAtMillion = compactBytes;
    let cache: string;
    if (size <= options.tokenCacheMeasuredUpTo) {
      const measured = await measureInChild("token-cache", size);
      slope = (measured.heap + measured.buffers) / size;
      tokenLength = measured.extra?.["tokenLength"] ?? 0;
      cache = `${MB(measured.heap + measured.buffers)} (measured)`;
    } else cache = `${MB(slope * size)} (extrapolated)`;
    rows.push([
      size.toLocaleString("en"),
      `${MB(compactBytes)} (${MB(compact.buffers)} typed arrays)`,
      (compactBytes / size).toFixed(0),
      `${MB(map.heap + map.buffers)}`,
      ((map.heap + map.buffers) / size).toFixed(0),
      cache,
    ]);
  }
  return {
    table: table(
      ["entries", "ended-session set (CompactIdTable)", "bytes / entry", "the Map<string, number> it replaced", "bytes / entry", `verified-token cache (${tokenLength}-character tokens)`],
      rows,
    ),
    endedSessionsAtMillion,
    tokenCacheBytesPerEntry: slope,
    tokenLength,
  };
}

export interface SyncCurve {
  table: string;
  /** rows → ms of a full sync. */
  fullSyncMs: Map<number, number>;
  /** rows → the longest the event loop waited during the full sync (ms). */
  maxLoopDelayMs: Map<number, number>;
}

/**
 * Adds ended sessions number `from` to `to`, revoked over the last ten minutes. On SQLite one
 * INSERT … SELECT over a recursive CTE (a million rows in seconds; dates in the text form the
 * driver adapter writes); elsewhere the ORM's createMany in batches, slower but portable.
 */
async function fill(db: Database, options: { userId: string; from: number; to: number; now: number; sqlite: boolean }): Promise<void> {
  const expires = new Date(options.now + 86_400_000).toISOString().replace("Z", "+00:00");
  if (options.sqlite) {
    const hex = (bytes: number) => `lower(hex(randomblob(${bytes})))`;
    await db.$executeRawUnsafe(
      `WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
       INSERT INTO "Session" ("id", "userId", "createdAt", "lastUsedAt", "expiresAt", "revokedAt")
       SELECT ${hex(4)} || '-' || ${hex(2)} || '-4' || substr(${hex(2)}, 2) || '-a' || substr(${hex(2)}, 2) || '-' || ${hex(6)},
              ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%f+00:00', (? - (i % 600000)) / 1000.0, 'unixepoch')
       FROM n`,
      options.from,
      options.to,
      options.userId,
      expires,
      expires,
      expires,
      options.now,
    );
    return;
  }
  // PostgreSQL: one statement per 100k rows (Prisma's createMany would take minutes for a million).
  // DateTime columns are timestamp(3) holding UTC, which is what these literals are.
  const utc = (ms: number) => new Date(ms).toISOString().replace("Z", "");
  for (let filled = options.from; filled < options.to; filled += 100_000) {
    await db.$executeRawUnsafe(
      `INSERT INTO "Session" ("id", "userId", "createdAt", "lastUsedAt", "expiresAt", "revokedAt")
       SELECT gen_random_uuid()::text, $1, $2::timestamp(3), $2::timestamp(3), $2::timestamp(3), $3::timestamp(3) - (i % 600000) * interval '1 millisecond'
       FROM generate_series($4::int, $5::int - 1) AS i`,
      options.userId,
      utc(options.now + 86_400_000),
      utc(options.now),
      filled,
      Math.min(filled + 100_000, options.to),
    );
  }
}

/**
 * A real database (SQLite in a temp dir, or `databaseUrl`) holding N ended sessions within the
 * retention window; a fresh RevokedSessions reads them all, as a restarted process does.
 * The event loop's longest stall during the sync is recorded too: the sync yields between pages.
 */
export async function benchFullSync(options: { sizes: number[]; databaseUrl?: string }): Promise<SyncCurve> {
  const dataDir = await mkdtemp(join(tmpdir(), "claimgate-bench-sync-"));
  const config = parseConfig({
    NODE_ENV: "test",
    DATA_DIR: dataDir,
    JWT_SECRET: randomBytes(48).toString("base64url"),
    SEED_DEMO_USERS: "false",
    LOG_LEVEL: "silent",
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
  });
  const db = await openServiceDatabase({ config, logger: pino({ level: "silent" }), clock: () => new Date() });
  const rows: (string | number)[][] = [];
  const fullSyncMs = new Map<number, number>();
  const maxLoopDelayMs = new Map<number, number>();
  try {
    const user = await db.user.create({ data: { email: `bench-${randomUUID()}@example.com`, passwordHash: "x" } });
    const now = Date.now();
    // Once on the empty table: a process's first query compiles and warms up what every later one reuses.
    await new RevokedSessions({ db, syncIntervalMs: 60_000, retentionMs: 3_600_000, clock: () => new Date() }).sync({ full: true });
    let filled = 0;
    for (const size of [...options.sizes].sort((a, b) => a - b)) {
      await fill(db, { userId: user.id, from: filled, to: size, now, sqlite: config.databaseUrl.startsWith("file:") });
      filled = size;
      const revoked = new RevokedSessions({ db, syncIntervalMs: 60_000, retentionMs: 3_600_000, clock: () => new Date() });
      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      const started = performance.now();
      await revoked.sync({ full: true });
      const ms = performance.now() - started;
      delay.disable();
      if (revoked.size !== size) throw new Error(`full sync read ${revoked.size} of ${size} ended sessions`);
      const incrementalStarted = performance.now();
      await revoked.sync();
      const incremental = performance.now() - incrementalStarted;
      fullSyncMs.set(size, ms);
      maxLoopDelayMs.set(size, delay.max / 1e6);
      rows.push([size.toLocaleString("en"), ms, Math.round(size / (ms / 1000)), delay.max / 1e6, incremental]);
    }
  } finally {
    await db.$disconnect();
    await rm(dataDir, { recursive: true, force: true });
  }
  return {
    table: table(["ended sessions in the window", "full sync (ms)", "rows / s", "longest event-loop stall during it (ms)", "next incremental sync (ms, re-reads the last minute)"], rows),
    fullSyncMs,
    maxLoopDelayMs,
  };
}
