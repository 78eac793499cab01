import type { Database } from "../db/database.js";
import { DomainError } from "../domain/domain-error.js";
import { normaliseEmail, parseEmail } from "../domain/email.js";
import { checkPasswordPolicy, MAX_PASSWORD_LENGTH } from "../domain/password-policy.js";
import { deleteUser, insertUser, requireUser, setUserDisabled } from "../domain/users.js";
import type { User } from "../db/generated/client.js";
import { type AuthEventSink, discardAuthEvents } from "./auth-events.js";
import type { LoginThrottle } from "./login-throttle.js";
import { hashPassword, needsRehash, verifyAgainstDummyHash, verifyPassword } from "./passwords.js";
import { accountDisabled, type ClientInfo, type IssuedTokens, type SessionService } from "./sessions.js";

export interface AccountServiceOptions {
  db: Database;
  sessions: SessionService;
  throttle: LoginThrottle;
  clock: () => Date;
  events?: AuthEventSink;
}

export interface ChangePasswordOptions {
  userId: string;
  /** The session the request came from: it stays; every other session ends. */
  currentSessionId: string | null;
  currentPassword: string;
  newPassword: string;
  client: ClientInfo;
}

export interface AccountService {
  register(email: string, password: string, client: ClientInfo): Promise<IssuedTokens>;
  login(email: string, password: string, client: ClientInfo): Promise<IssuedTokens>;
  /** Returns how many other sessions were ended. */
  changePassword(options: ChangePasswordOptions): Promise<number>;
  /** Disabling refuses logins and refreshes and ends every session. */
  setDisabled(userId: string, disabled: boolean): Promise<{ user: User; sessionsEnded: number }>;
  /** Ends every session, then removes the account's data (see deleteUser); returns how many sessions ended. */
  delete(userId: string): Promise<number>;
}

const invalidCredentials = () =>
  new DomainError("UNAUTHENTICATED", "INVALID_CREDENTIALS", "The email or password is incorrect.");

export function createAccountService(options: AccountServiceOptions): AccountService {
  const { db, sessions, throttle, clock } = options;
  const events = options.events ?? discardAuthEvents;

  return {
    async register(emailInput, password, client) {
      const email = parseEmail(emailInput);
      checkPasswordPolicy(password);
      const user = await insertUser(db, { email, passwordHash: await hashPassword(password) });
      events({ event: "registered", userId: user.id });
      return sessions.start(user, client);
    },

    async login(emailInput, password, client) {
      const email = normaliseEmail(emailInput);
      const subject = { email, ip: client.ip };
      const ip = client.ip ?? null;
      // Locked or not is decided before the account is looked up, so the answer is the same
      // whether or not the account exists.
      const { accountHasFailures } = await throttle.assertAllowed(subject).catch((error: unknown) => {
        events({ event: "login_failed", reason: "LOGIN_THROTTLED", ip });
        throw error;
      });
      // Oversized input is refused before hashing; shorter wrong lengths are just wrong passwords.
      const user = password.length > MAX_PASSWORD_LENGTH ? null : await db.user.findUnique({ where: { email } });
      const matches = user ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDummyHash(password);
      if (!user || !matches) {
        await throttle.recordFailure(subject);
        events({ event: "login_failed", reason: "INVALID_CREDENTIALS", ip });
        throw invalidCredentials();
      }
      if (accountHasFailures) await throttle.recordSuccess(subject);
      if (user.disabledAt !== null) {
        events({ event: "login_failed", reason: "ACCOUNT_DISABLED", ip });
        throw accountDisabled();
      }
      // Hashes made with weaker parameters than today's are upgraded while the password is at hand.
      const current = needsRehash(user.passwordHash)
        ? await db.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(password) } })
        : user;
      const tokens = await sessions.start(current, client);
      events({ event: "login_succeeded", userId: user.id, sessionId: tokens.sessionId, ip });
      return tokens;
    },

    async changePassword({ userId, currentSessionId, currentPassword, newPassword, client }) {
      const user = await requireUser(db, userId);
      const subject = { email: user.email, ip: client.ip };
      await throttle.assertAllowed(subject);
      if (currentPassword.length > MAX_PASSWORD_LENGTH || !(await verifyPassword(user.passwordHash, currentPassword))) {
        await throttle.recordFailure(subject);
        throw new DomainError("UNAUTHENTICATED", "INVALID_CREDENTIALS", "The current password is incorrect.");
      }
      checkPasswordPolicy(newPassword);
      await db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(newPassword) } });
      return sessions.revokeAll(userId, "password_changed", currentSessionId ?? undefined);
    },

    async setDisabled(userId, disabled) {
      const user = await setUserDisabled(db, userId, disabled, clock());
      const sessionsEnded = disabled ? await sessions.revokeAll(userId, "account_disabled") : 0;
      return { user, sessionsEnded };
    },

    async delete(userId) {
      await requireUser(db, userId);
      // Sessions first: by the time the account is gone its tokens are already refused.
      const ended = await sessions.revokeAll(userId, "account_deleted");
      await deleteUser(db, userId, clock());
      return ended;
    },
  };
}
