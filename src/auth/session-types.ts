import type { TokenConfig } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { UserView } from "../domain/users.js";
import type { AuthEventSink } from "./auth-events.js";
import type { RevokedSessions } from "./revoked-sessions.js";
import type { KeyRing } from "./signing-keys.js";

/** What the client told us about itself, shown in session lists. */
export interface ClientInfo {
  readonly userAgent?: string | null;
  readonly ip?: string | null;
}

export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly tokenType: "Bearer";
  readonly expiresIn: number;
  readonly user: UserView;
  readonly sessionId: string;
}

/** An active session as its owner sees it. */
export interface SessionView {
  readonly id: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  readonly userAgent: string | null;
  readonly ip: string | null;
}

export type RevocationReason =
  | "password_reset"
  | "logout"
  | "logout_all"
  | "revoked_by_user"
  | "revoked_by_admin"
  | "password_changed"
  | "account_disabled"
  | "account_deleted"
  | "refresh_token_reuse";

/** What every part of the session service works with (see sessions.ts). */
export interface SessionContext {
  readonly db: Database;
  readonly keys: KeyRing;
  readonly tokens: TokenConfig;
  readonly clock: () => Date;
  readonly revoked: RevokedSessions;
  readonly events: AuthEventSink;
}
