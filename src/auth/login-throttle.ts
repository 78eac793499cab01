import type { AccountRateLimits, LoginThrottlePolicy } from "../config/config.js";
import type { Database } from "../db/database.js";
import { DomainError } from "../domain/domain-error.js";
import type { HeldCounter } from "../db/throttle-reservation.js";
import type { User } from "../db/generated/client.js";
import { AttemptCounter, type CounterReservation, type CounterSlot, heldCountersOf } from "./attempt-counter.js";
import type { AttemptPolicy } from "./attempt-state.js";
import { emailKey, networkKey } from "./throttle-keys.js";

export interface LoginThrottleOptions {
  db: Database;
  policy: LoginThrottlePolicy;
  clock: () => Date;
}

export interface ThrottleSubject {
  /** Normalised email: counted whether or not an account has it, so locks reveal nothing. */
  readonly email: string;
  readonly ip: string | null | undefined;
  /**
   * A device this account logged in from before (a verified device token): its own counter
   * replaces the account-wide one, so the owner is not locked out by someone else's guesses.
   */
  readonly deviceId?: string | null;
}

/** Granted login attempts; give them back when the password turns out right. */
export interface LoginReservation {
  release(): Promise<void>;
  /** What release() gives back: a login gives them back in its session start's transaction instead. */
  readonly counters: readonly HeldCounter[];
}

/**
 * Brute-force limits per account, per client IP and per account+IP pair. An attempt is reserved
 * atomically before any password is checked, so however many guesses arrive at once, at most the
 * configured number of verifications run per window; counters live in the database, so they
 * survive restarts and hold across processes.
 */
export class LoginThrottle {
  readonly #counter: AttemptCounter;
  readonly #clock: () => Date;
  readonly #account: AttemptPolicy;
  readonly #ip: AttemptPolicy;
  readonly #pair: AttemptPolicy;

  constructor(options: LoginThrottleOptions) {
    const { policy } = options;
    this.#counter = new AttemptCounter(options.db);
    this.#clock = options.clock;
    const policyFor = (limit: number): AttemptPolicy => ({
      limit,
      windowSeconds: policy.windowSeconds,
      lockSeconds: policy.lockSeconds,
      maxLockSeconds: policy.maxLockSeconds,
    });
    this.#account = policyFor(policy.accountFailures);
    this.#ip = policyFor(policy.ipFailures);
    this.#pair = policyFor(policy.pairFailures);
  }

  /** Throws TOO_MANY_REQUESTS (reason LOGIN_THROTTLED, retryAfter in seconds) while any counter is locked. */
  async reserve(subject: ThrottleSubject): Promise<LoginReservation> {
    const slots = this.#slotsOf(subject);
    // All counters in one step, all or none: a refusal leaves the others as they were.
    return this.#granted(slots, await this.#counter.reserve(slots, this.#clock()));
  }

  /**
   * reserve(), and the account with the subject's email read in the same step (one statement on
   * PostgreSQL): a login without a device token, whose counters do not depend on the account.
   */
  async reserveFindingUser(subject: ThrottleSubject): Promise<{ reservation: LoginReservation; user: User | null }> {
    const slots = this.#slotsOf(subject);
    const { reservation, user } = await this.#counter.reserveFindingUser(slots, this.#clock(), subject.email);
    return { reservation: this.#granted(slots, reservation), user };
  }

  #granted(slots: readonly CounterSlot[], reservation: CounterReservation): LoginReservation {
    if (!reservation.granted) throw loginThrottled(reservation.retryAfterSeconds);
    let released = false;
    return {
      counters: heldCountersOf(slots),
      release: async () => {
        if (released) return;
        released = true;
        await this.#counter.release(slots);
      },
    };
  }

  /** Lifts the account-wide lock and every account+IP lock of an address; returns how many counters were cleared. */
  unlock(email: string): Promise<number> {
    const account = emailKey(email);
    return this.#counter.clear({ equals: [`account:${account}`], startsWith: [`pair:${account}|`] });
  }

  #slotsOf(subject: ThrottleSubject): CounterSlot[] {
    // The IP first: a locked address costs the account's counters nothing.
    const slots: CounterSlot[] = [];
    const account = emailKey(subject.email);
    if (subject.ip) {
      const network = networkKey(subject.ip);
      slots.push({ key: `ip:${network}`, policy: this.#ip });
      slots.push({ key: `pair:${account}|${network}`, policy: this.#pair });
    }
    slots.push(subject.deviceId ? { key: `device:${subject.deviceId}`, policy: this.#account } : { key: `account:${account}`, policy: this.#account });
    return slots;
  }
}

export const loginThrottled = (retryAfter: number) =>
  new DomainError("TOO_MANY_REQUESTS", "LOGIN_THROTTLED", `Too many failed login attempts; try again in ${retryAfter} seconds.`, {
    retryAfter,
  });

export type RateLimitedAction = "register" | "password_reset" | "verify_email";

/**
 * Requests per client IP per window for the account mutations that send mail or take a token
 * (registration, password reset, email verification), persisted like login limits.
 */
export class ActionRateLimiter {
  readonly #counter: AttemptCounter;
  readonly #clock: () => Date;
  readonly #policies: Record<RateLimitedAction, AttemptPolicy>;
  readonly #mailPolicy: AttemptPolicy;

  constructor(options: { db: Database; limits: AccountRateLimits; clock: () => Date }) {
    const { limits } = options;
    this.#counter = new AttemptCounter(options.db);
    this.#clock = options.clock;
    // At the limit the address waits out the window (never doubled).
    const policyFor = (limit: number): AttemptPolicy => ({ limit, windowSeconds: limits.windowSeconds, lockSeconds: limits.windowSeconds, maxLockSeconds: limits.windowSeconds });
    this.#policies = {
      register: policyFor(limits.register),
      password_reset: policyFor(limits.passwordReset),
      verify_email: policyFor(limits.verifyEmail),
    };
    this.#mailPolicy = policyFor(limits.mailsPerAddress);
  }

  /**
   * Whether one more account mail may go to this address in the window. Past the cap mails are
   * dropped without a word to the requester (an error would tell them the address has an account),
   * so nobody can flood a mailbox through claimgate.
   */
  async allowMailTo(email: string): Promise<boolean> {
    return (await this.#counter.reserve([{ key: `mail-to:${emailKey(email)}`, policy: this.#mailPolicy }], this.#clock())).granted;
  }

  /** Throws TOO_MANY_REQUESTS (reason RATE_LIMITED, retryAfter in seconds) past the limit. */
  async consume(action: RateLimitedAction, ip: string | null | undefined): Promise<void> {
    if (!ip) return;
    const reservation = await this.#counter.reserve([{ key: `${action}-ip:${networkKey(ip)}`, policy: this.#policies[action] }], this.#clock());
    if (!reservation.granted) {
      const retryAfter = reservation.retryAfterSeconds;
      throw new DomainError("TOO_MANY_REQUESTS", "RATE_LIMITED", `Too many requests from your address; try again in ${retryAfter} seconds.`, {
        retryAfter,
      });
    }
  }
}
