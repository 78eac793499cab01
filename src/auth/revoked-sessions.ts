import { setImmediate as nextTurn } from "node:timers/promises";
import type { Database } from "../db/database.js";
import { CompactIdTable } from "./compact-id-table.js";

/** Told of every session revocation and claim change as this process learns of it (subscriptions close their sockets). */
export interface RevocationListener {
  sessionsRevoked?(sessionIds: readonly string[]): void;
  claimsChanged?(userId: string, version: number): void;
}

export interface RevokedSessionsOptions {
  db: Database;
  /** How often to read new revocations from the database: the longest a revoked session's access tokens keep working in another process. */
  syncIntervalMs: number;
  /** Revocations older than this cannot matter: every access token of the session has expired. */
  retentionMs: number;
  clock: () => Date;
  onError?: (error: unknown) => void;
  /**
   * Rows read per query while syncing; the event loop gets a turn between pages, so a full
   * sync of a million revocations never holds up requests for long. @default 2000
   */
  pageSize?: number;
}

export interface SyncOptions {
  /** Read every revocation still within the retention window, not only the recent ones (after a reconnect, when notifications may have been missed). */
  full?: boolean;
}

/** A row read while syncing: its id and when it changed, the keyset the pages are ordered by. */
interface Keyed {
  id: string;
  at: Date;
}

/**
 * Re-read a little before the last sync: a revocation committed by another process while we
 * were reading carries a timestamp slightly earlier than our read, and hosts' clocks differ.
 */
const OVERLAP_MS = 60_000;

/**
 * The ids of recently revoked sessions, and the users whose claims changed recently, in memory,
 * so checking an access token's `sid` and `cv` costs a hash lookup instead of a database query.
 * Changes made by this process count at once; those made by other processes sharing the
 * database arrive at the next sync. Both hold only what changed within an access token's
 * lifetime (entries expire after `retentionMs`), in compact tables: about 20 bytes a slot for
 * session ids, so a million ended sessions cost each process about 40 MB, not the ~150 MB of a Map.
 */
export class RevokedSessions {
  readonly #revoked = new CompactIdTable({ initialCapacity: 1024 });
  /** userId → current claims version; expiry = when it changed + retention. */
  readonly #claimsVersions = new CompactIdTable({ initialCapacity: 64, values: true });
  readonly #options: RevokedSessionsOptions;
  readonly #pageSize: number;
  #syncedUpTo = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #listeners = new Set<RevocationListener>();
  #running: Promise<void> | undefined;
  #followUp: Promise<void> | undefined;
  #followUpFull = false;

  constructor(options: RevokedSessionsOptions) {
    this.#options = options;
    this.#pageSize = Math.max(1, options.pageSize ?? 2000);
  }

  has(sessionId: string): boolean {
    return this.#revoked.has(sessionId);
  }

  /** Returns a function that removes the listener. */
  listen(listener: RevocationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Records revocations made by this process, before the database sync sees them. */
  add(sessionIds: Iterable<string>): void {
    const expiry = this.#expiryOf(this.#options.clock().getTime());
    const added: string[] = [];
    for (const id of sessionIds) if (this.#revoked.set(id, Math.max(expiry, this.#revoked.expiryOf(id) ?? 0))) added.push(id);
    this.#notifyRevoked(added);
  }

  #notifyRevoked(sessionIds: readonly string[]): void {
    if (sessionIds.length === 0) return;
    for (const listener of this.#listeners) listener.sessionsRevoked?.(sessionIds);
  }

  #notifyClaimsChanged(userId: string, version: number): void {
    for (const listener of this.#listeners) listener.claimsChanged?.(userId, version);
  }

  /**
   * The claims version tokens of this user must carry at least, or undefined when their claims
   * have not changed within an access token's lifetime.
   */
  claimsVersionOf(userId: string): number | undefined {
    return this.#claimsVersions.get(userId);
  }

  /** Records a claim change made by this process, before the database sync sees it. */
  noteClaimsChanged(userId: string, version: number): void {
    this.#raiseClaimsVersion(userId, version, this.#options.clock().getTime());
  }

  #raiseClaimsVersion(userId: string, version: number, changedAtMs: number): void {
    const known = this.#claimsVersions.get(userId);
    if (known !== undefined && known >= version) return;
    this.#claimsVersions.set(userId, this.#expiryOf(changedAtMs), version);
    this.#notifyClaimsChanged(userId, version);
  }

  /** Users whose recent claim changes are held in memory. */
  get claimsChangedCount(): number {
    return this.#claimsVersions.size;
  }

  get size(): number {
    return this.#revoked.size;
  }

  /** Bytes held by the two tables' typed arrays (ids that are not UUIDs, if any, come on top). */
  get byteLength(): number {
    return this.#revoked.byteLength + this.#claimsVersions.byteLength;
  }

  /** Loads revocations still relevant, then keeps syncing until stop(). */
  async start(): Promise<void> {
    await this.sync({ full: true });
    this.#timer = setInterval(() => {
      this.sync().catch((error: unknown) => this.#options.onError?.(error));
    }, this.#options.syncIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /**
   * Reads revocations and claim changes made since the last sync (or all still relevant, with
   * `full`). Safe to call at any time and as often as wanted (a timer, change notifications, a
   * reconnect): while a sync runs, further calls share one follow-up sync that starts when it
   * ends, so nothing committed before a call is missed and at most two reads are ever queued.
   */
  sync(options: SyncOptions = {}): Promise<void> {
    if (this.#running === undefined) return this.#begin(options.full ?? false);
    this.#followUpFull ||= options.full ?? false;
    this.#followUp ??= this.#running
      .catch(() => undefined)
      .then(() => {
        const full = this.#followUpFull;
        this.#followUp = undefined;
        this.#followUpFull = false;
        // A sync started in between (by a caller after the first one ended) began after every
        // call that queued this follow-up, so it already covers them; a full one must still run.
        return this.#running !== undefined && !full ? this.#running : this.#begin(full);
      });
    return this.#followUp;
  }

  #begin(full: boolean): Promise<void> {
    const running = this.#readChanges(full).finally(() => {
      if (this.#running === running) this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  async #readChanges(full: boolean): Promise<void> {
    const now = this.#options.clock().getTime();
    const horizon = now - this.#options.retentionMs;
    const since = new Date(full ? horizon : Math.max(horizon, this.#syncedUpTo - OVERLAP_MS));
    const db = this.#options.db;
    await this.#readPages(
      (after, take) =>
        db.session
          .findMany({
            where: after ? { revokedAt: { gte: after.at }, OR: [{ revokedAt: { gt: after.at } }, { id: { gt: after.id } }] } : { revokedAt: { gte: since } },
            orderBy: [{ revokedAt: "asc" }, { id: "asc" }],
            select: { id: true, revokedAt: true },
            take,
          })
          .then((rows) => rows.map((row) => ({ id: row.id, at: row.revokedAt! }))),
      (rows) => {
        const revoked: string[] = [];
        for (const row of rows) {
          const expiry = this.#expiryOf(row.at.getTime());
          if (this.#revoked.set(row.id, Math.max(expiry, this.#revoked.expiryOf(row.id) ?? 0))) revoked.push(row.id);
        }
        this.#notifyRevoked(revoked);
      },
    );
    await this.#readPages(
      (after, take) =>
        db.user
          .findMany({
            where: after
              ? { claimsChangedAt: { gte: after.at }, OR: [{ claimsChangedAt: { gt: after.at } }, { id: { gt: after.id } }] }
              : { claimsChangedAt: { gte: since } },
            orderBy: [{ claimsChangedAt: "asc" }, { id: "asc" }],
            select: { id: true, claimsVersion: true, claimsChangedAt: true },
            take,
          })
          .then((rows) => rows.map((row) => ({ id: row.id, at: row.claimsChangedAt!, version: row.claimsVersion }))),
      (rows) => {
        for (const row of rows) this.#raiseClaimsVersion(row.id, row.version, row.at.getTime());
      },
    );
    // Expiries are "changed at + retention": what expired before now is older than the horizon.
    this.#revoked.evictExpired(now / 1000);
    this.#claimsVersions.evictExpired(now / 1000);
    this.#syncedUpTo = now;
  }

  /**
   * Keyset pagination (ordered by time, then id), giving the event loop a turn between pages.
   * A page after the first starts at `time >= last time`, a range the time index answers
   * directly, so each page costs the same however far into the table it is.
   */
  async #readPages<Row extends Keyed>(read: (after: Keyed | undefined, take: number) => Promise<Row[]>, apply: (rows: Row[]) => void): Promise<void> {
    let after: Keyed | undefined;
    for (;;) {
      const rows = await read(after, this.#pageSize);
      apply(rows);
      if (rows.length < this.#pageSize) return;
      after = rows[rows.length - 1]!;
      await nextTurn();
    }
  }

  /** The expiry, in seconds, of something that changed at `atMs`: when it stops mattering. */
  #expiryOf(atMs: number): number {
    return (atMs + this.#options.retentionMs) / 1000;
  }
}
