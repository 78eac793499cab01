import type { AccountRateLimits, LoginThrottlePolicy } from "../config/config.js";
import type { Database } from "../db/database.js";
import { DomainError } from "../domain/domain-error.js";
import type { HeldCounter } from "../db/throttle-reservation.js";
import type { User } from "../db/generated/client.js";
import { AttemptCounter, type CounterReservation, type CounterSlot, heldCountersOf } from "./attempt-counter.js";
import { type AttemptPolicy, BUSY_RETRY_SECONDS } from "./attempt-state.js";
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

/**
 * Granted login attempts, counted as in flight until the check ends: give them back when the
 * password turns out right (release(), or a session start that gives back `counters` and then
 * calls givenBack()); settle() them however else the check ends. Callers settle in a `finally`:
 * a reservation left in flight makes its counter's lock, once reached, look busy ("try again in a
 * second") instead of a lock for failed attempts. Only a process dying mid-check leaves one
 * behind; that costs, until its counter's window ends (LOGIN_FAILURE_WINDOW), a real lock
 * answered as busy (still refused: no more guesses are checked), and the window's next
 * reservation forgets it.
 */
export interface LoginReservation {
  /** The password was right: the attempts are given back. */
  release(): Promise<void>;
  /** The check ended otherwise: the attempts stay counted as failures, no longer in flight. Nothing once given back or settled. */
  settle(): Promise<void>;
  /** What release() gives back: a login gives them back in its session start's transaction instead. */
  readonly counters: readonly HeldCounter[];
  /** The session start's transaction gave `counters` back (committed, whether or not the session started). */
  givenBack(): void;
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
      tracksInFlight: true,
    });
    this.#account = policyFor(policy.accountFailures);
    this.#ip = policyFor(policy.ipFailures);
    this.#pair = policyFor(policy.pairFailures);
  }

  /**
   * Throws TOO_MANY_REQUESTS while any counter is locked: reason LOGIN_THROTTLED (retryAfter in
   * seconds) for failed attempts, LOGIN_BUSY (retryAfter 1) while the lock stands only on checks
   * still running.
   */
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

  /**
   * Ending a granted reservation (release, settle, a session start) touches only the windows it
   * was counted in, never one started afresh while its check ran (HeldCounter.windowStart).
   */
  #granted(slots: readonly CounterSlot[], reservation: CounterReservation): LoginReservation {
    if (!reservation.granted) throw reservation.busy ? loginBusy() : loginThrottled(reservation.retryAfterSeconds);
    // Ended once: given back or settled. A release or settle that throws has (most likely) not
    // committed, so it stays open and a later settle() may still end it.
    let ended = false;
    const end = async (how: () => Promise<void>) => {
      if (ended) return;
      await how();
      ended = true;
    };
    const { windowStarts } = reservation;
    return {
      counters: heldCountersOf(slots, windowStarts),
      release: () => end(() => this.#counter.release(slots, windowStarts)),
      settle: () => end(() => this.#counter.settle(slots, windowStarts)),
      givenBack: () => {
        ended = true;
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

/**
 * A counter at its limit only because its last attempts are still being checked (many logins at
 * once, none failed yet): in milliseconds they are given back or become failures. Its own reason,
 * so a client can retry quietly instead of telling a user the account is locked.
 */
export const loginBusy = () =>
  new DomainError("TOO_MANY_REQUESTS", "LOGIN_BUSY", "Too many logins for this account or address are being checked at this moment; try again in a second.", {
    retryAfter: BUSY_RETRY_SECONDS,
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
    // At the limit the address waits out the window (never doubled). A request is used up when
    // granted, never given back: nothing is in flight, so these counters are never busy.
    const policyFor = (limit: number): AttemptPolicy => ({
      limit,
      windowSeconds: limits.windowSeconds,
      lockSeconds: limits.windowSeconds,
      maxLockSeconds: limits.windowSeconds,
      tracksInFlight: false,
    });
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
