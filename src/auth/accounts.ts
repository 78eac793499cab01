import type { AccountMailConfig } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { User } from "../db/generated/client.js";
import { findUserByEmail } from "../db/user-by-email.js";
import { type AuditActor, type AuditEntry, auditWrite } from "../domain/audit-log.js";
import { DomainError } from "../domain/domain-error.js";
import { normaliseEmail, parseEmail } from "../domain/email.js";
import { checkPasswordPolicy, MAX_PASSWORD_LENGTH } from "../domain/password-policy.js";
import { decodeStoredClaims } from "../domain/user-claims.js";
import { insertUser, requireUser, setUserClaims, tombstoneEmail } from "../domain/users.js";
import { alreadyRegisteredMail, passwordResetMail, verificationMail } from "../mail/account-mails.js";
import type { Mailer, OutgoingMail } from "../mail/mailer.js";
import { type AuthEventSink, discardAuthEvents } from "./auth-events.js";
import { type DeviceTokenOptions, issueDeviceToken, newDeviceId, verifyDeviceToken } from "./device-token.js";
import { EmailTokens } from "./email-tokens.js";
import type { ActionRateLimiter, LoginReservation, LoginThrottle } from "./login-throttle.js";
import { hashPassword, needsRehash, NO_PASSWORD, verifyAgainstDummyHash, verifyPassword } from "./passwords.js";
import type { RevokedSessions } from "./revoked-sessions.js";
import { accountDisabled } from "./session-errors.js";
import type { ClientInfo, IssuedTokens } from "./session-types.js";
import type { SessionService } from "./sessions.js";

export interface AccountServiceOptions {
  db: Database;
  sessions: SessionService;
  throttle: LoginThrottle;
  rateLimiter: ActionRateLimiter;
  mail: AccountMailConfig;
  mailer: Mailer;
  /** Where links in mails point when APP_URL is not set: the server's own URL, known once it listens. */
  defaultAppUrl: () => string;
  devices: Omit<DeviceTokenOptions, "keys"> & { keys: DeviceTokenOptions["keys"] };
  /** For claim changes made by this process: older tokens are refused here at once. */
  revoked: Pick<RevokedSessions, "noteClaimsChanged">;
  clock: () => Date;
  events?: AuthEventSink;
  /** A mail that could not be handed over: logged by the server (mails go out after the answer). */
  onMailError?: (error: unknown, mail: Pick<OutgoingMail, "purpose">) => void;
  /**
   * Ending a password check's throttle reservation failed (the database is down at that instant):
   * logged by the server. The check's own answer stands; the check stays counted in flight until
   * its counter's window ends.
   */
  onSettleError?: (error: unknown) => void;
}

export interface ChangePasswordOptions {
  userId: string;
  /** The session the request came from: it stays; every other session ends. */
  currentSessionId: string | null;
  currentPassword: string;
  newPassword: string;
  client: ClientInfo;
}

export interface LoginResult extends IssuedTokens {
  /** Present it at the next login from this device: strangers' failures then cannot lock it out. */
  readonly deviceToken: string;
}

export type RegistrationResult =
  | { readonly status: "VERIFICATION_SENT"; readonly auth: null }
  | { readonly status: "REGISTERED"; readonly auth: IssuedTokens };

export interface AccountService {
  register(email: string, password: string, client: ClientInfo): Promise<RegistrationResult>;
  /** Confirms the address a verification mail went to, and logs in. */
  verifyEmail(token: string, client: ClientInfo): Promise<IssuedTokens>;
  login(email: string, password: string, client: ClientInfo, deviceToken?: string | null): Promise<LoginResult>;
  /** Always true; a reset mail goes out only when the address has an account. */
  requestPasswordReset(email: string, client: ClientInfo): Promise<true>;
  /** Sets a new password with a reset token and ends every session of the account. */
  resetPassword(token: string, newPassword: string, client: ClientInfo): Promise<true>;
  /** Returns how many other sessions were ended. */
  changePassword(options: ChangePasswordOptions): Promise<number>;
  setClaims(actor: AuditActor, userId: string, claims: unknown): Promise<User>;
  /** Disabling refuses logins and refreshes and ends every session. */
  setDisabled(actor: AuditActor, userId: string, disabled: boolean): Promise<{ user: User; sessionsEnded: number }>;
  /** Ends every session and removes the account's data in one transaction; returns how many sessions ended. */
  delete(actor: AuditActor, userId: string): Promise<number>;
  /** Ends every session of a user (an administrator's sweep); returns how many ended. */
  revokeUserSessions(actor: AuditActor, userId: string): Promise<number>;
  /** Ends every session of the caller, audited; returns how many ended. */
  logoutAll(userId: string): Promise<number>;
  /** Lifts the login locks of an address; returns how many counters were cleared. */
  unlock(actor: AuditActor, email: string): Promise<number>;
}

const emailTokenInvalid = () =>
  new DomainError("BAD_USER_INPUT", "EMAIL_TOKEN_INVALID", "This link is not valid: it was already used, replaced by a newer one, or mistyped. Ask for a new one.", {
    field: "token",
  });
const invalidCredentials = () =>
  new DomainError("UNAUTHENTICATED", "INVALID_CREDENTIALS", "The email or password is incorrect.");

export function createAccountService(options: AccountServiceOptions): AccountService {
  const { db, sessions, throttle, rateLimiter, clock, mail } = options;
  const events = options.events ?? discardAuthEvents;
  const emailTokens = new EmailTokens(db);
  const appUrl = () => mail.appUrl ?? options.defaultAppUrl();

  /**
   * Ends a password check's reservation once its answer is known. That answer stands whatever
   * happens here: a wrong password stays INVALID_CREDENTIALS and a started session keeps its
   * tokens, rather than turning into a 503 when only the bookkeeping failed; the failure is logged.
   */
  async function settle(reservation: LoginReservation): Promise<void> {
    try {
      await reservation.settle();
    } catch (error) {
      options.onSettleError?.(error);
    }
  }

  /**
   * Mails go out after the answer: the response takes the same time whether an address has an
   * account or not, and a slow mail server never holds a request. A failure is logged.
   */
  function sendLater(build: () => Promise<OutgoingMail | null>): void {
    let purpose = "account mail";
    void build()
      .then(async (outgoing) => {
        if (!outgoing) return;
        purpose = outgoing.purpose;
        await options.mailer.send(outgoing);
        events({ event: "mail_sent", purpose });
      })
      .catch((error: unknown) => options.onMailError?.(error, { purpose }));
  }

  /** An audit event written in the transaction of the change it records, and logged once that committed. */
  async function withAudit<T>(entry: AuditEntry, change: (write: ReturnType<typeof auditWrite>) => Promise<T>): Promise<T> {
    const result = await change(auditWrite(db, entry));
    events({ event: "account_changed", action: entry.action, actorKind: entry.actor.kind, actorId: entry.actor.id, targetUserId: entry.targetUserId });
    return result;
  }

  async function startVerification(user: Pick<User, "id" | "email">, passwordHash: string): Promise<OutgoingMail> {
    const now = clock();
    const token = await emailTokens.issue({ userId: user.id, purpose: "verify_email", ttlSeconds: mail.verificationTtlSeconds, now, passwordHash });
    return verificationMail({ to: user.email, appUrl: appUrl(), token, ttlSeconds: mail.verificationTtlSeconds });
  }

  return {
    async register(emailInput, password, client) {
      await rateLimiter.consume("register", client.ip);
      const email = parseEmail(emailInput);
      checkPasswordPolicy(password);
      // Hashed on every path, so a taken address answers in the same time as a free one.
      const passwordHash = await hashPassword(password);
      if (!mail.requireEmailVerification) {
        // Without verification the answer must say whether the address was free (EMAIL_TAKEN): the README names this trade.
        const user = await insertUser(db, { email, passwordHash, emailVerifiedAt: null });
        events({ event: "registered", userId: user.id });
        return { status: "REGISTERED", auth: await sessions.start(user, client) };
      }
      // The account is created unusable ("!" matches no password); the link sets the password chosen here.
      const created = await insertUser(db, { email, passwordHash: NO_PASSWORD, emailVerifiedAt: null }).catch((error: unknown) => {
        if (error instanceof DomainError && error.reason === "EMAIL_TAKEN") return null;
        throw error;
      });
      if (created) {
        events({ event: "registered", userId: created.id });
        sendLater(() => startVerification(created, passwordHash));
      } else {
        sendLater(async () => {
          const existing = await db.user.findUnique({ where: { email } });
          if (!existing || !(await rateLimiter.allowMailTo(email))) return null;
          // The first registration's link stays the only one: a second registrant never gets a link
          // with a password of their choosing into the owner's mailbox. Whoever owns the mailbox
          // can take the address over with a password reset.
          return alreadyRegisteredMail({ to: email, appUrl: appUrl(), pending: existing.passwordHash === NO_PASSWORD });
        });
      }
      return { status: "VERIFICATION_SENT", auth: null };
    },

    async verifyEmail(token, client) {
      await rateLimiter.consume("verify_email", client.ip);
      const now = clock();
      const used = await emailTokens.consume(token, "verify_email", now);
      // Other registrations' links for this address stop here: only one password ever wins.
      await emailTokens.retire(used.userId, "verify_email", now);
      const before = await requireUser(db, used.userId);
      if (before.disabledAt !== null) throw accountDisabled();
      // An address verified meanwhile (another link, a password reset) keeps the password it has.
      if (before.emailVerifiedAt !== null || before.passwordHash !== NO_PASSWORD) throw emailTokenInvalid();
      // Setting the password is a credential change like any other: sessions from before end.
      await withAudit({ actor: { kind: "user", id: used.userId }, action: "email_verified", targetUserId: used.userId, at: now }, (write) =>
        sessions.revokeAll(used.userId, "password_reset", {
          userData: { emailVerifiedAt: now, ...(used.passwordHash ? { passwordHash: used.passwordHash } : {}) },
          alsoRun: [write],
        }),
      );
      const user = await requireUser(db, used.userId);
      const tokens = await sessions.start(user, client);
      events({ event: "email_verified", userId: user.id });
      return tokens;
    },

    async login(emailInput, password, client, deviceToken) {
      // Durations for the log (what a login costs beyond its Argon2id verification), not time of day.
      const started = performance.now();
      const email = normaliseEmail(emailInput);
      const ip = client.ip ?? null;
      const now = clock();
      const refused = (error: unknown): never => {
        if (error instanceof DomainError) events({ event: "login_failed", reason: error.reason, ip });
        throw error;
      };
      // Oversized input is refused before hashing; shorter wrong lengths are just wrong passwords.
      const oversized = password.length > MAX_PASSWORD_LENGTH;
      // The attempt is reserved before any password is checked: however many guesses arrive at
      // once, only the configured number are verified. The answer is the same whether or not the
      // account exists, since the counters key on the address, not the account. Without a device
      // token the counters do not depend on the account: they are reserved in the same step as
      // it is read.
      let user: User | null;
      let deviceId: string | null = null;
      let reservation: LoginReservation;
      if (!deviceToken) {
        ({ user, reservation } = await throttle.reserveFindingUser({ email, ip, deviceId: null }).catch(refused));
        if (oversized) user = null;
      } else {
        const [found, device] = await Promise.all([
          oversized ? null : findUserByEmail(db, email),
          verifyDeviceToken(deviceToken, { ...options.devices, now }),
        ]);
        user = found;
        deviceId = device && user && device.userId === user.id ? device.deviceId : null;
        reservation = await throttle.reserve({ email, ip, deviceId }).catch(refused);
      }
      // Every way out of the check below ends the reservation: given back with the session start
      // (a right password) or by release(), else settled in `finally` (a wrong password, an error
      // on the way): a reservation left in flight would make its counter's lock look busy. Only a
      // crash between here and the end leaves one: until the counter's window ends, a real lock
      // is then answered as LOGIN_BUSY (retry in a second) instead of LOGIN_THROTTLED; still refused.
      try {
        const checkStarted = performance.now();
        const verifying = user ? verifyPassword(user.passwordHash, password) : verifyAgainstDummyHash(password);
        // While Argon2id runs on the thread pool, the answer to a right password is made ahead:
        // nothing is written, and the tokens mean nothing until the session is inserted below.
        const preparing = user && user.disabledAt === null ? sessions.prepare(user, client) : null;
        const signingDevice = user
          ? issueDeviceToken({ ...options.devices, identity: { userId: user.id, deviceId: deviceId ?? newDeviceId() }, now })
          : null;
        // A wrong password never waits for these: their failures must not go unhandled.
        preparing?.catch(() => {});
        signingDevice?.catch(() => {});
        const matches = await verifying;
        const passwordCheckMs = performance.now() - checkStarted;
        if (!user || !matches) {
          events({ event: "login_failed", reason: "INVALID_CREDENTIALS", ip });
          throw invalidCredentials();
        }
        if (user.disabledAt !== null || !preparing || !signingDevice) {
          await reservation.release();
          events({ event: "login_failed", reason: "ACCOUNT_DISABLED", ip });
          throw accountDisabled();
        }
        // Hashes made with weaker parameters than today's are upgraded while the password is at hand,
        // only if neither hash nor epoch changed meanwhile (a password change racing this login wins).
        if (needsRehash(user.passwordHash)) {
          const upgraded = await db.user.updateMany({
            where: { id: user.id, passwordHash: user.passwordHash, credentialEpoch: user.credentialEpoch },
            data: { passwordHash: await hashPassword(password) },
          });
          if (upgraded.count === 0) {
            await reservation.release();
            throw invalidCredentials();
          }
        }
        // The user as read before the password check: the session starts only if its epoch is still
        // current, in one transaction with giving the reservation back.
        const tokens = await sessions.start(user, client, { prepared: preparing, releasing: reservation });
        const issuedDevice = await signingDevice;
        const round = (ms: number) => Math.round(ms * 100) / 100;
        events({ event: "login_succeeded", userId: user.id, sessionId: tokens.sessionId, ip, durationMs: round(performance.now() - started), passwordCheckMs: round(passwordCheckMs) });
        return { ...tokens, deviceToken: issuedDevice };
      } finally {
        await settle(reservation);
      }
    },

    async requestPasswordReset(emailInput, client) {
      await rateLimiter.consume("password_reset", client.ip);
      const email = parseEmail(emailInput);
      sendLater(async () => {
        const user = await db.user.findUnique({ where: { email } });
        if (!user || user.deletedAt !== null || user.disabledAt !== null) return null;
        if (!(await rateLimiter.allowMailTo(email))) return null;
        // A newer link replaces older ones, as the refusal message of a used-up link says.
        await emailTokens.retire(user.id, "reset_password", clock());
        const token = await emailTokens.issue({ userId: user.id, purpose: "reset_password", ttlSeconds: mail.passwordResetTtlSeconds, now: clock() });
        return passwordResetMail({ to: user.email, appUrl: appUrl(), token, ttlSeconds: mail.passwordResetTtlSeconds });
      });
      return true;
    },

    async resetPassword(token, newPassword, client) {
      await rateLimiter.consume("verify_email", client.ip);
      // Checked before the token is used up, so a too-short password does not cost the link.
      checkPasswordPolicy(newPassword);
      const passwordHash = await hashPassword(newPassword);
      const now = clock();
      const used = await emailTokens.consume(token, "reset_password", now);
      const user = await requireUser(db, used.userId);
      // Every other link of the account dies with the reset: older reset links and pending verifications.
      await emailTokens.retire(user.id, "reset_password", now);
      await emailTokens.retire(user.id, "verify_email", now);
      // The link proves the mailbox, so it also verifies the address.
      await withAudit({ actor: { kind: "user", id: user.id }, action: "password_reset", targetUserId: user.id, at: now }, (write) =>
        sessions.revokeAll(user.id, "password_reset", { userData: { passwordHash, emailVerifiedAt: user.emailVerifiedAt ?? now }, alsoRun: [write] }),
      );
      events({ event: "password_reset", userId: user.id });
      return true;
    },

    async changePassword({ userId, currentSessionId, currentPassword, newPassword, client }) {
      const user = await requireUser(db, userId);
      // The caller is logged in: their session has its own counter, so strangers locking the
      // account cannot stop the owner changing the password (the IP limits still apply).
      const reservation = await throttle.reserve({ email: user.email, ip: client.ip, deviceId: currentSessionId ? `session-${currentSessionId}` : null });
      try {
        if (currentPassword.length > MAX_PASSWORD_LENGTH || !(await verifyPassword(user.passwordHash, currentPassword))) {
          throw new DomainError("UNAUTHENTICATED", "INVALID_CREDENTIALS", "The current password is incorrect.");
        }
        await reservation.release();
      } finally {
        // A wrong password (or an error): counted as a failure, no longer in flight.
        await settle(reservation);
      }
      checkPasswordPolicy(newPassword);
      const passwordHash = await hashPassword(newPassword);
      const now = clock();
      await emailTokens.retire(userId, "verify_email", now);
      return withAudit({ actor: { kind: "user", id: userId }, action: "password_changed", targetUserId: userId, at: now }, (write) =>
        sessions.revokeAll(userId, "password_changed", { except: currentSessionId, userData: { passwordHash }, alsoRun: [write] }),
      );
    },

    async setClaims(actor, userId, claims) {
      const user = await setUserClaims(db, userId, claims, { actor, now: clock() });
      options.revoked.noteClaimsChanged(user.id, user.claimsVersion);
      events({ event: "account_changed", action: "claims_changed", actorKind: actor.kind, actorId: actor.id, targetUserId: userId });
      return user;
    },

    async setDisabled(actor, userId, disabled) {
      const before = await requireUser(db, userId);
      const now = clock();
      const entry: AuditEntry = {
        actor,
        action: disabled ? "account_disabled" : "account_enabled",
        targetUserId: userId,
        before: { disabled: before.disabledAt !== null },
        after: { disabled },
        at: now,
      };
      if (!disabled) {
        // Like disabling, a claims version bump tells every process the account changed: a linked
        // provider subject refused while it was disabled is let in again without waiting.
        const [user] = await withAudit(entry, (write) =>
          db.$transaction([db.user.update({ where: { id: userId }, data: { disabledAt: null, claimsVersion: { increment: 1 }, claimsChangedAt: now } }), write]),
        );
        options.revoked.noteClaimsChanged(user.id, user.claimsVersion);
        return { user, sessionsEnded: 0 };
      }
      const sessionsEnded = await withAudit(entry, (write) =>
        sessions.revokeAll(userId, "account_disabled", { userData: { disabledAt: before.disabledAt ?? now }, alsoRun: [write] }),
      );
      return { user: await requireUser(db, userId), sessionsEnded };
    },

    async delete(actor, userId) {
      const before = await requireUser(db, userId);
      const now = clock();
      const entry: AuditEntry = { actor, action: "account_deleted", targetUserId: userId, before: { claims: decodeStoredClaims(before.claims) }, at: now };
      // One transaction: the sessions end, the data goes and the tombstone is written together, or nothing happens.
      // Of identical deletions at once only one finds the account not yet deleted: the others
      // fail that update (P2025), roll back and are told, as after it, that there is no such user.
      return withAudit(entry, (write) =>
        sessions.revokeAll(userId, "account_deleted", {
          userData: { email: tombstoneEmail(userId), passwordHash: NO_PASSWORD, claims: "{}", disabledAt: before.disabledAt ?? now },
          alsoRun: [
            db.user.update({ where: { id: userId, deletedAt: null }, data: { deletedAt: now }, select: { id: true } }),
            db.post.deleteMany({ where: { authorId: userId } }),
            db.emailToken.deleteMany({ where: { userId } }),
            // Personal data kept with ended sessions goes too; the sessions stay so their ends stay visible.
            db.session.updateMany({ where: { userId }, data: { ip: null, userAgent: null } }),
            write,
          ],
        }).catch(async (error: unknown) => {
          if ((error as { code?: string }).code === "P2025") await requireUser(db, userId);
          throw error;
        }),
      );
    },

    revokeUserSessions(actor, userId) {
      return withAudit({ actor, action: "sessions_revoked", targetUserId: userId, at: clock() }, async (write) => {
        await requireUser(db, userId);
        return sessions.revokeAll(userId, "revoked_by_admin", { alsoRun: [write] });
      });
    },

    logoutAll(userId) {
      return withAudit({ actor: { kind: "user", id: userId }, action: "sessions_revoked", targetUserId: userId, after: { scope: "all" }, at: clock() }, (write) =>
        sessions.revokeAll(userId, "logout_all", { alsoRun: [write] }),
      );
    },

    async unlock(actor, emailInput) {
      const email = normaliseEmail(emailInput);
      const user = await db.user.findUnique({ where: { email }, select: { id: true } });
      // The address itself is not recorded: counters and the audit log keep no email.
      return withAudit({ actor, action: "account_unlocked", targetUserId: user?.id ?? null, at: clock() }, async (write) => {
        const cleared = await throttle.unlock(email);
        await write;
        return cleared;
      });
    },
  };
}
