import type { AccountService } from "../auth/accounts.js";
import type { RoleAdmin } from "../auth/role-admin.js";
import type { Principal } from "../auth/caller.js";
import type { ClientInfo, SessionService } from "../auth/sessions.js";
import type { Database } from "../db/database.js";
import { DomainError } from "../domain/domain-error.js";
import type { PostFeed } from "../domain/post-feed.js";

/** Long-lived services the resolvers use, built once at startup. */
export interface Services {
  readonly db: Database;
  readonly accounts: AccountService;
  readonly sessions: SessionService;
  readonly roles: RoleAdmin;
  readonly clock: () => Date;
  /** Posts as they are published, for subscriptions. */
  readonly postFeed: PostFeed;
}

/** The refresh-token cookie as one HTTP request sees it (see refresh-token-delivery.ts). */
export interface RefreshCookieJar {
  /** The client asked for cookie mode (the `Claimgate-Refresh-Token: cookie` header). */
  readonly requested: boolean;
  /** Why this request may not use the cookie (its Origin is not in CORS_ORIGINS), or null when it may. */
  readonly refusal: string | null;
  /** The refresh token the browser sent in the cookie, if any. */
  read(): string | null;
  /** Sets the cookie for as long as a refresh token lives (REFRESH_TOKEN_TTL). */
  set(refreshToken: string): void;
  clear(): void;
}

/** The WebSocket connection an operation runs on. */
export interface SocketConnection {
  /** Replaces the connection's access token with a newer one of the same subject (renewConnection). */
  renew(accessToken: string): Promise<void>;
}

/** Per-request context. `auth` is what `@requiresClaims` reads. */
export interface GraphQLContext {
  /** Over WebSocket this follows the connection: renewConnection and claim changes replace it. */
  readonly auth: Principal;
  readonly services: Services;
  readonly client: ClientInfo;
  readonly requestId: string;
  /** The cookie of the browser session mode; null over WebSocket. */
  readonly refreshCookie: RefreshCookieJar | null;
  /** The socket an operation arrived on; null over HTTP. */
  readonly connection: SocketConnection | null;
}

/** The session (`sid`) of the caller's access token, or null when anonymous. */
export function sessionOf(context: GraphQLContext): string | null {
  return context.auth.claims?.sid ?? null;
}

/**
 * The local user id of a guarded field's caller; the directive has already checked a token exists.
 * A provider's token names a local user only through a link (linkUsers): its `sub` is the
 * provider's, never one of our ids.
 */
export function subjectOf(context: GraphQLContext): string {
  if (context.auth.issuer !== undefined && context.auth.userId === undefined) {
    throw new DomainError(
      "FORBIDDEN",
      "NO_LOCAL_ACCOUNT",
      "This token comes from an external identity provider whose users have no local account here (enable linkUsers for that issuer).",
    );
  }
  const subject = context.auth.userId ?? context.auth.claims?.sub;
  if (subject === undefined) throw new Error("subjectOf called on a field without @requiresClaims");
  return subject;
}
