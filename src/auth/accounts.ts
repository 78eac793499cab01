import type { Database } from "../db/database.js";
import { DomainError } from "../domain/domain-error.js";
import { parseEmail, normaliseEmail } from "../domain/email.js";
import { checkPasswordPolicy, MAX_PASSWORD_LENGTH } from "../domain/password-policy.js";
import { insertUser } from "../domain/users.js";
import { hashPassword, needsRehash, verifyAgainstDummyHash, verifyPassword } from "./passwords.js";
import { accountDisabled, type ClientInfo, type IssuedTokens, type SessionService } from "./sessions.js";

export interface AccountServiceOptions {
  db: Database;
  sessions: SessionService;
}

export interface AccountService {
  register(email: string, password: string, client: ClientInfo): Promise<IssuedTokens>;
  login(email: string, password: string, client: ClientInfo): Promise<IssuedTokens>;
}

const invalidCredentials = () =>
  new DomainError("UNAUTHENTICATED", "INVALID_CREDENTIALS", "The email or password is incorrect.");

export function createAccountService(options: AccountServiceOptions): AccountService {
  const { db, sessions } = options;
  return {
    async register(emailInput, password, client) {
      const email = parseEmail(emailInput);
      checkPasswordPolicy(password);
      const user = await insertUser(db, { email, passwordHash: await hashPassword(password) });
      return sessions.start(user, client);
    },

    async login(emailInput, password, client) {
      // Oversized input is refused before hashing; any length policy beyond that would tell
      // an attacker which passwords cannot exist, so wrong lengths are just wrong passwords.
      if (password.length > MAX_PASSWORD_LENGTH * 4) throw invalidCredentials();
      const user = await db.user.findUnique({ where: { email: normaliseEmail(emailInput) } });
      if (!user) {
        await verifyAgainstDummyHash(password);
        throw invalidCredentials();
      }
      if (!(await verifyPassword(user.passwordHash, password))) throw invalidCredentials();
      if (user.disabledAt !== null) throw accountDisabled();
      const current = needsRehash(user.passwordHash)
        ? await db.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(password) } })
        : user;
      return sessions.start(current, client);
    },
  };
}
