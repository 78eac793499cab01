import { setImmediate as nextTurn } from "node:timers/promises";
import type { Database } from "../db/database.js";

export interface ExpiredRowPrunerOptions {
  db: Database;
  clock: () => Date;
  /** How long an ended session still matters to revocation: ACCESS_TOKEN_TTL + CLOCK_TOLERANCE + 1 minute (as RevokedSessions keeps it). */
  retentionMs: number;
  /** The longest window of any attempt counter (LOGIN_FAILURE_WINDOW, ACCOUNT_RATE_WINDOW). */
  throttleWindowMs: number;
  /**
   * Expired sessions and mail links are kept this long after they stop working, so a client
   * coming back is told "expired" rather than "invalid". @default 7 days
   */
  keepExpiredMs?: number;
  /** @default 5 minutes */
  intervalMs?: number;
  /** Rows deleted per statement. @default 1000 */
  batchSize?: number;
  /** Rows deleted per table and run at most, so one run stays short; the next run goes on. @default 200,000 */
  maxRowsPerRun?: number;
  onError?: (error: unknown) => void;
}

export interface PruneCounts {
  sessions: number;
  emailTokens: number;
  attemptCounters: number;
}

const DAY_MS = 86_400_000;

/**
 * Deletes rows that can no longer change any answer, in bounded batches, so the tables hold what
 * happened recently rather than everything that ever happened:
 * - sessions (with their refresh tokens) whose last refresh token expired `keepExpiredMs` ago and
 *   which were not ended within the revocation window (every access token of theirs has expired,
 *   and every process has long read the revocation);
 * - mail links (verification, reset) expired `keepExpiredMs` ago;
 * - attempt counters whose window has passed and whose lock has run out: the rules treat such a
 *   row exactly as a missing one.
 * Each batch re-states its condition in the DELETE itself, so a row that became live again between
 * the read of ids and the delete (a counter reserved meanwhile) stays; several processes may prune
 * at once. Only portable ORM statements: the same on SQLite and PostgreSQL.
 */
export class ExpiredRowPruner {
  readonly #options: ExpiredRowPrunerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<PruneCounts> | undefined;

  constructor(options: ExpiredRowPrunerOptions) {
    this.#options = options;
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.pruneOnce().catch((error: unknown) => this.#options.onError?.(error));
    }, this.#options.intervalMs ?? 300_000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One run over every table; a call while a run is under way shares it. */
  pruneOnce(): Promise<PruneCounts> {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #run(): Promise<PruneCounts> {
    const { db, clock, retentionMs, throttleWindowMs } = this.#options;
    const now = clock().getTime();
    const stale = new Date(now - (this.#options.keepExpiredMs ?? 7 * DAY_MS));
    const horizon = new Date(now - retentionMs);
    const sessionGone = { expiresAt: { lt: new Date(Math.min(stale.getTime(), horizon.getTime())) }, OR: [{ revokedAt: null }, { revokedAt: { lt: horizon } }] };
    const sessions = await this.#inBatches(
      (take) => db.session.findMany({ where: sessionGone, select: { id: true }, take }),
      (ids) => db.session.deleteMany({ where: { id: { in: ids }, ...sessionGone } }),
    );
    const linkGone = { expiresAt: { lt: stale } };
    const emailTokens = await this.#inBatches(
      (take) => db.emailToken.findMany({ where: linkGone, select: { id: true }, take }),
      (ids) => db.emailToken.deleteMany({ where: { id: { in: ids }, ...linkGone } }),
    );
    const nowDate = new Date(now);
    // A minute beyond the window, for clocks of other hosts that run a little behind.
    const counterGone = { windowStart: { lt: new Date(now - throttleWindowMs - 60_000) }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: nowDate } }] };
    const attemptCounters = await this.#inBatches(
      (take) => db.loginThrottle.findMany({ where: counterGone, select: { key: true }, take }).then((rows) => rows.map((row) => ({ id: row.key }))),
      (keys) => db.loginThrottle.deleteMany({ where: { key: { in: keys }, ...counterGone } }),
    );
    return { sessions, emailTokens, attemptCounters };
  }

  async #inBatches(read: (take: number) => Promise<{ id: string }[]>, remove: (ids: string[]) => Promise<{ count: number }>): Promise<number> {
    const batchSize = this.#options.batchSize ?? 1000;
    const maxRows = this.#options.maxRowsPerRun ?? 200_000;
    let deleted = 0;
    while (deleted < maxRows) {
      const rows = await read(Math.min(batchSize, maxRows - deleted));
      if (rows.length === 0) break;
      const { count } = await remove(rows.map((row) => row.id));
      deleted += count;
      // Rows that no longer matched were live again: stop rather than read them over and over.
      if (rows.length < batchSize || count === 0) break;
      await nextTurn();
    }
    return deleted;
  }
}
