import type { Database } from "../db/database.js";

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
}

/**
 * The ids of recently revoked sessions, and the users whose claims changed recently, in memory,
 * so checking an access token's `sid` and `cv` costs a Map lookup instead of a database query.
 * Changes made by this process count at once; those made by other processes sharing the
 * database arrive at the next sync. Both maps hold only what changed within an access token's
 * lifetime, so they stay bounded by the changes in that window.
 */
export class RevokedSessions {
  readonly #revokedAt = new Map<string, number>();
  /** userId → [current claims version, when it changed (ms)] */
  readonly #claimsVersions = new Map<string, [version: number, changedAt: number]>();
  readonly #options: RevokedSessionsOptions;
  #syncedUpTo = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #listeners = new Set<RevocationListener>();

  constructor(options: RevokedSessionsOptions) {
    this.#options = options;
  }

  has(sessionId: string): boolean {
    return this.#revokedAt.has(sessionId);
  }

  /** Returns a function that removes the listener. */
  listen(listener: RevocationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Records revocations made by this process, before the database sync sees them. */
  add(sessionIds: Iterable<string>): void {
    const now = this.#options.clock().getTime();
    const added: string[] = [];
    for (const id of sessionIds) {
      if (!this.#revokedAt.has(id)) added.push(id);
      this.#revokedAt.set(id, now);
    }
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
    return this.#claimsVersions.get(userId)?.[0];
  }

  /** Records a claim change made by this process, before the database sync sees it. */
  noteClaimsChanged(userId: string, version: number): void {
    const known = this.#claimsVersions.get(userId);
    if (!known || known[0] < version) {
      this.#claimsVersions.set(userId, [version, this.#options.clock().getTime()]);
      this.#notifyClaimsChanged(userId, version);
    }
  }

  /** Users whose recent claim changes are held in memory. */
  get claimsChangedCount(): number {
    return this.#claimsVersions.size;
  }

  get size(): number {
    return this.#revokedAt.size;
  }

  /** Loads revocations still relevant, then keeps syncing until stop(). */
  async start(): Promise<void> {
    await this.sync();
    this.#timer = setInterval(() => {
      this.sync().catch((error: unknown) => this.#options.onError?.(error));
    }, this.#options.syncIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async sync(): Promise<void> {
    const now = this.#options.clock().getTime();
    const horizon = now - this.#options.retentionMs;
    // Re-read a little before the last sync: a revocation committed by another process while
    // we were reading carries a timestamp slightly earlier than our read.
    const since = Math.max(horizon, this.#syncedUpTo - 60_000);
    const rows = await this.#options.db.session.findMany({
      where: { revokedAt: { gte: new Date(since) } },
      select: { id: true, revokedAt: true },
    });
    const changed = await this.#options.db.user.findMany({
      where: { claimsChangedAt: { gte: new Date(since) } },
      select: { id: true, claimsVersion: true, claimsChangedAt: true },
    });
    const revoked: string[] = [];
    for (const row of rows) {
      if (!this.#revokedAt.has(row.id)) revoked.push(row.id);
      this.#revokedAt.set(row.id, row.revokedAt!.getTime());
    }
    const claimsChanged: [string, number][] = [];
    for (const row of changed) {
      const known = this.#claimsVersions.get(row.id);
      if (!known || known[0] < row.claimsVersion) {
        this.#claimsVersions.set(row.id, [row.claimsVersion, row.claimsChangedAt!.getTime()]);
        claimsChanged.push([row.id, row.claimsVersion]);
      }
    }
    for (const [id, revokedAt] of this.#revokedAt) if (revokedAt < horizon) this.#revokedAt.delete(id);
    for (const [id, [, changedAt]] of this.#claimsVersions) if (changedAt < horizon) this.#claimsVersions.delete(id);
    this.#syncedUpTo = now;
    this.#notifyRevoked(revoked);
    for (const [userId, version] of claimsChanged) this.#notifyClaimsChanged(userId, version);
  }
}
