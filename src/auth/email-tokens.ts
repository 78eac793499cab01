import { createHash, randomBytes } from "node:crypto";
import type { Database } from "../db/database.js";
import { badInput } from "../domain/domain-error.js";

export type EmailTokenPurpose = "verify_email" | "reset_password";

const PREFIX = "cge_";
const hashOf = (token: string) => createHash("sha256").update(token).digest("base64url");

/** The parts of a consumed token its flow needs. */
export interface ConsumedEmailToken {
  readonly userId: string;
  readonly passwordHash: string | null;
}

/**
 * Single-use tokens sent by mail (256 random bits, `cge_…`). Only their SHA-256 is stored, and
 * using one is a conditional update, so of concurrent uses exactly one succeeds.
 */
export class EmailTokens {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async issue(options: { userId: string; purpose: EmailTokenPurpose; ttlSeconds: number; now: Date; passwordHash?: string }): Promise<string> {
    const token = `${PREFIX}${randomBytes(32).toString("base64url")}`;
    await this.#db.emailToken.create({
      data: {
        userId: options.userId,
        purpose: options.purpose,
        tokenHash: hashOf(token),
        passwordHash: options.passwordHash ?? null,
        createdAt: options.now,
        expiresAt: new Date(options.now.getTime() + options.ttlSeconds * 1000),
      },
      select: { id: true },
    });
    return token;
  }

  /** Uses a token up; BAD_USER_INPUT (EMAIL_TOKEN_INVALID or EMAIL_TOKEN_EXPIRED) when it cannot be used. */
  async consume(token: string, purpose: EmailTokenPurpose, now: Date): Promise<ConsumedEmailToken> {
    const invalid = () =>
      badInput("EMAIL_TOKEN_INVALID", "This link is not valid: it was already used, replaced by a newer one, or mistyped. Ask for a new one.", {
        field: "token",
      });
    if (!token.startsWith(PREFIX) || token.length > 100) throw invalid();
    const tokenHash = hashOf(token);
    const { count } = await this.#db.emailToken.updateMany({
      where: { tokenHash, purpose, consumedAt: null, expiresAt: { gt: now } },
      data: { consumedAt: now },
    });
    const row = await this.#db.emailToken.findUnique({ where: { tokenHash }, select: { userId: true, passwordHash: true, purpose: true, expiresAt: true } });
    if (count === 1 && row) return { userId: row.userId, passwordHash: row.passwordHash };
    if (row && row.purpose === purpose && row.expiresAt <= now) {
      throw badInput("EMAIL_TOKEN_EXPIRED", "This link has expired; ask for a new one.", { field: "token" });
    }
    throw invalid();
  }

  /** Retires a user's unused tokens of one purpose (a newer link replaces older ones). */
  async retire(userId: string, purpose: EmailTokenPurpose, now: Date): Promise<void> {
    await this.#db.emailToken.updateMany({ where: { userId, purpose, consumedAt: null }, data: { consumedAt: now } });
  }
}
