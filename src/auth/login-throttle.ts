import type { LoginThrottlePolicy } from "../config/config.js";
import type { Database } from "../db/database.js";
import { DomainError } from "../domain/domain-error.js";

export interface LoginThrottleOptions {
  db: Database;
  policy: LoginThrottlePolicy;
  clock: () => Date;
}

export interface ThrottleSubject {
  /** Normalised email: counted whether or not an account has it, so locks reveal nothing. */
  readonly email: string;
  readonly ip: string | null | undefined;
}

/**
 * Brute-force limits per account and per client IP, with a lock that doubles with each further
 * failure. Counters live in the database, so they survive restarts and hold across processes.
 */
export class LoginThrottle {
  readonly #options: LoginThrottleOptions;

  constructor(options: LoginThrottleOptions) {
    this.#options = options;
  }

  /**
   * Throws TOO_MANY_REQUESTS, with retryAfter in seconds, while the account or the IP is locked.
   * Returns whether the account has failures on record, so a success knows whether to clear them.
   */
  async assertAllowed(subject: ThrottleSubject): Promise<{ accountHasFailures: boolean }> {
    const now = this.#options.clock().getTime();
    const rows = await this.#options.db.loginThrottle.findMany({
      where: { key: { in: keysOf(subject).map(([key]) => key) } },
      select: { key: true, lockedUntil: true },
    });
    const locked = rows.filter((row) => row.lockedUntil !== null && row.lockedUntil.getTime() > now);
    if (locked.length === 0) return { accountHasFailures: rows.some((row) => row.key === `account:${subject.email}`) };
    const until = Math.max(...locked.map((row) => row.lockedUntil!.getTime()));
    const retryAfter = Math.ceil((until - now) / 1000);
    throw new DomainError(
      "TOO_MANY_REQUESTS",
      "LOGIN_THROTTLED",
      `Too many failed login attempts; try again in ${retryAfter} seconds.`,
      { retryAfter },
    );
  }

  async recordFailure(subject: ThrottleSubject): Promise<void> {
    const { db, policy, clock } = this.#options;
    const now = clock();
    for (const [key, threshold] of keysOf(subject, policy)) {
      const windowOpen = new Date(now.getTime() - policy.windowSeconds * 1000);
      const row = await db.$transaction(async (tx) => {
        // Counting is an atomic increment, so parallel failures are never lost.
        const current = await tx.loginThrottle.upsert({
          where: { key },
          create: { key, failures: 1, windowStart: now },
          update: { failures: { increment: 1 } },
        });
        const expired = current.windowStart < windowOpen && (current.lockedUntil ?? new Date(0)) <= now;
        return expired ? tx.loginThrottle.update({ where: { key }, data: { failures: 1, windowStart: now, lockedUntil: null } }) : current;
      });
      if (row.failures >= threshold) {
        const lockSeconds = Math.min(policy.maxLockSeconds, policy.lockSeconds * 2 ** (row.failures - threshold));
        await db.loginThrottle.update({ where: { key }, data: { lockedUntil: new Date(now.getTime() + lockSeconds * 1000) } });
      }
    }
  }

  /** A successful login forgets the account's failures (not the IP's: one good password proves little about the rest). */
  async recordSuccess(subject: ThrottleSubject): Promise<void> {
    await this.#options.db.loginThrottle.deleteMany({ where: { key: `account:${subject.email}` } });
  }
}

function keysOf(subject: ThrottleSubject, policy?: LoginThrottlePolicy): [key: string, threshold: number][] {
  const keys: [string, number][] = [[`account:${subject.email}`, policy?.accountFailures ?? 0]];
  if (subject.ip) keys.push([`ip:${subject.ip}`, policy?.ipFailures ?? 0]);
  return keys;
}
