import { randomUUID } from "node:crypto";
import type { Database } from "../db/database.js";
import type { RevocationListener } from "./revoked-sessions.js";

export type LinkOutcome = { readonly userId: string; readonly refusal: null } | { readonly userId: string | null; readonly refusal: string };

export interface ExternalUserLinksOptions {
  db: Database;
  clock: () => Date;
  /**
   * How long a subject's account state is trusted before it is read again. A disable, delete or
   * re-enable bumps the account's claims version, which drops the entry at once (claimsChanged);
   * this bounds only what no notice reaches (another process on SQLite learns at its next sync).
   */
  recheckSeconds: number;
  /** @default 100000 */
  maxEntries?: number;
}

/** The placeholder email of a linked account: without "@", so nobody can register, log in or reset with it. */
export const linkedEmail = (issuer: string, subject: string) => `external:${issuer}|${subject}`;

const MISSING_PASSWORD = "!";

/**
 * Local users for the subjects of trusted issuers with linkUsers, keyed by (issuer, sub). The first
 * request of a subject creates the user and the link (concurrent first requests agree on one, by
 * the link's primary key); later requests cost a Map lookup, and the account's state is read again
 * at most once per recheck interval, and at once when told the account changed (it listens to the
 * revocation list: disabling, deleting and re-enabling bump the claims version), so a disabled or
 * deleted account's provider tokens are refused.
 * A linked user has no password: the link never grants claimgate's own login or refresh.
 */
export class ExternalUserLinks implements RevocationListener {
  readonly #options: ExternalUserLinksOptions;
  readonly #entries = new Map<string, { outcome: LinkOutcome; checkedAt: number }>();
  /** userId → entry key, so a change to a user drops its entry without scanning them all. */
  readonly #keyOfUser = new Map<string, string>();
  readonly #inflight = new Map<string, Promise<LinkOutcome>>();
  /**
   * Counts change notices: a load that began before one may have read the account as it was, so
   * its outcome is answered to its own waiters but not cached (a miss costs one read; a stale
   * "fine" would let a disabled account in until the entry aged out).
   */
  #changes = 0;

  constructor(options: ExternalUserLinksOptions) {
    this.#options = options;
  }

  resolve(issuer: string, subject: string): LinkOutcome | Promise<LinkOutcome> {
    const key = `${issuer}\n${subject}`;
    const entry = this.#entries.get(key);
    const now = this.#options.clock().getTime();
    if (entry && now - entry.checkedAt < this.#options.recheckSeconds * 1000) return entry.outcome;
    let pending = this.#inflight.get(key);
    if (!pending) {
      const changesAtStart = this.#changes;
      const load = this.#load(issuer, subject)
        .then((outcome) => {
          if (this.#changes === changesAtStart) this.#remember(key, { outcome, checkedAt: now });
          return outcome;
        })
        .finally(() => {
          if (this.#inflight.get(key) === load) this.#inflight.delete(key);
        });
      pending = load;
      this.#inflight.set(key, pending);
    }
    return pending;
  }

  /** The account of userId changed (disabled, deleted, re-enabled, new claims): its state is read again on next use. */
  claimsChanged(userId: string): void {
    this.#changes++;
    const key = this.#keyOfUser.get(userId);
    if (key !== undefined) this.#forget(key);
    // A load in flight may have read the old state: later requests start their own.
    this.#inflight.clear();
  }

  #remember(key: string, entry: { outcome: LinkOutcome; checkedAt: number }): void {
    if (!this.#entries.has(key) && this.#entries.size >= (this.#options.maxEntries ?? 100_000)) this.#forget(this.#entries.keys().next().value!);
    this.#entries.set(key, entry);
    if (entry.outcome.userId !== null) this.#keyOfUser.set(entry.outcome.userId, key);
  }

  #forget(key: string): void {
    const entry = this.#entries.get(key);
    this.#entries.delete(key);
    if (entry?.outcome.userId != null && this.#keyOfUser.get(entry.outcome.userId) === key) this.#keyOfUser.delete(entry.outcome.userId);
  }

  async #load(issuer: string, subject: string): Promise<LinkOutcome> {
    const { db } = this.#options;
    const where = { issuer_subject: { issuer, subject } };
    let link = await db.externalIdentity.findUnique({ where });
    if (!link) {
      const userId = randomUUID();
      try {
        await db.$transaction([
          db.user.create({ data: { id: userId, email: linkedEmail(issuer, subject), passwordHash: MISSING_PASSWORD, emailVerifiedAt: null }, select: { id: true } }),
          db.externalIdentity.create({ data: { issuer, subject, userId } }),
        ]);
      } catch (error) {
        // Another request (or process) linked this subject first: use its user.
        if ((error as { code?: string }).code !== "P2002") throw error;
      }
      link = await db.externalIdentity.findUnique({ where });
      if (!link) throw new Error("the external identity link could not be created");
    }
    const user = await db.user.findUnique({ where: { id: link.userId }, select: { disabledAt: true, deletedAt: true } });
    if (!user || user.deletedAt) return { userId: link.userId, refusal: "the local account linked to this identity has been deleted" };
    if (user.disabledAt) return { userId: link.userId, refusal: "the local account linked to this identity is disabled; contact an administrator" };
    return { userId: link.userId, refusal: null };
  }
}
