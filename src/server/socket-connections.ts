import type { GraphQLError } from "graphql";
import { CloseCode } from "graphql-ws";
import type { WebSocket } from "ws";
import { MISSING_TOKEN, type Principal } from "../auth/caller.js";
import type { RevokedSessions } from "../auth/revoked-sessions.js";
import { ForbiddenError } from "../authz/authorization-errors.js";
import type { AuthorizationPlan } from "../authz/authorization-plan.js";
import { DomainError } from "../domain/domain-error.js";
import { REGISTERED_CLAIM_NAMES } from "../domain/registered-claims.js";
import type { AuthenticatedConnection, CreateContext } from "../graphql/create-context.js";
import type { Logger } from "./logger.js";

/** Close codes the server uses beyond graphql-ws's own. */
export const SOCKET_CLOSE = {
  /** The token expired or its session ended: get a new token (refresh or log in), then reconnect. graphql-ws's client does not retry it. */
  UNAUTHORIZED: 4401,
  /** Nothing the caller subscribed to is allowed any more. graphql-ws's client retries it (CloseCode.Forbidden). */
  FORBIDDEN: CloseCode.Forbidden,
} as const;

type TokenClaims = NonNullable<Principal["claims"]>;

/** A running subscription, as far as following the session needs to know it. */
export interface LiveSubscription {
  readonly fieldName: string;
  readonly args: Record<string, unknown>;
  /** Ends the subscription with this error as its last result. */
  end(error: GraphQLError): void;
}

export interface SocketConnectionsOptions {
  createContext: CreateContext;
  revokedSessions: RevokedSessions;
  plan: AuthorizationPlan;
  /** Reads the user's current claims, or null when the account is gone or disabled. */
  loadClaims: (userId: string) => Promise<Record<string, unknown> | null>;
  clock: () => Date;
  clockToleranceSeconds: number;
  /** How often every connection's token expiry and revocations from other processes are checked. */
  sweepIntervalMs: number;
  logger: Logger;
}

/**
 * The open authenticated WebSocket connections, indexed by session and by user, following what
 * happens to them: a session that ends closes its sockets with 4401 (at once when this process
 * ended it, at the next sync otherwise), so does an expired token (checked every sweep), and a
 * claim change re-checks every subscription of the user.
 */
export class SocketConnections {
  readonly #all = new Set<LiveConnection>();
  readonly #bySession = new Map<string, Set<LiveConnection>>();
  readonly #bySubject = new Map<string, Set<LiveConnection>>();
  readonly #stopListening: () => void;
  readonly #sweep: NodeJS.Timeout;

  constructor(readonly options: SocketConnectionsOptions) {
    this.#stopListening = options.revokedSessions.listen({
      sessionsRevoked: (sessionIds) => {
        for (const id of sessionIds) for (const connection of [...(this.#bySession.get(id) ?? [])]) connection.close(SOCKET_CLOSE.UNAUTHORIZED, "Session ended");
      },
      claimsChanged: (userId, version) => {
        for (const connection of [...(this.#bySubject.get(userId) ?? [])]) this.#reloadClaims(connection, version);
      },
    });
    this.#sweep = setInterval(() => this.sweep(), options.sweepIntervalMs);
    this.#sweep.unref();
  }

  get size(): number {
    return this.#all.size;
  }

  open(socket: WebSocket, principal: Principal): LiveConnection {
    const connection = new LiveConnection(this, socket, principal);
    this.track(connection, true);
    return connection;
  }

  /** Closes connections whose token expired or whose session ended elsewhere; notices claim changes made elsewhere. */
  sweep(): void {
    const now = Math.floor(this.options.clock().getTime() / 1000);
    const revoked = this.options.revokedSessions;
    for (const connection of [...this.#all]) {
      const claims = connection.claims;
      if (claims === null) continue;
      // Tokens of trusted external issuers carry no session (sid); only their expiry applies to them.
      if (claims.sid !== undefined && revoked.has(claims.sid)) connection.close(SOCKET_CLOSE.UNAUTHORIZED, "Session ended");
      else if (claims.exp + this.options.clockToleranceSeconds <= now) connection.close(SOCKET_CLOSE.UNAUTHORIZED, "Token expired");
      else {
        const floor = revoked.claimsVersionOf(claims.sub);
        if (floor !== undefined && (claims.cv ?? 0) < floor) this.#reloadClaims(connection, floor);
      }
    }
  }

  stop(): void {
    this.#stopListening();
    clearInterval(this.#sweep);
  }

  /** @internal Adds or removes a connection under its current session and user. */
  track(connection: LiveConnection, add: boolean): void {
    const claims = connection.claims;
    index(this.#bySession, claims?.sid, connection, add);
    index(this.#bySubject, claims?.sub, connection, add);
    if (add) this.#all.add(connection);
    else this.#all.delete(connection);
  }

  #reloadClaims(connection: LiveConnection, version: number): void {
    connection.claimsChanged(version).catch((error: unknown) => this.options.logger.error({ event: "socket_claims_reload_failed", err: error }, "could not reload claims"));
  }
}

function index(map: Map<string, Set<LiveConnection>>, key: string | undefined, connection: LiveConnection, add: boolean): void {
  if (key === undefined) return;
  let set = map.get(key);
  if (add) {
    if (!set) map.set(key, (set = new Set()));
    set.add(connection);
  } else if (set) {
    set.delete(connection);
    if (set.size === 0) map.delete(key);
  }
}

/** One WebSocket connection and its caller; operations on it see `principal` as their `auth`. */
export class LiveConnection implements AuthenticatedConnection {
  readonly subscriptions = new Map<string, LiveSubscription>();
  #closed = false;

  constructor(
    readonly registry: SocketConnections,
    readonly socket: WebSocket,
    public principal: Principal,
  ) {}

  get claims(): TokenClaims | null {
    return this.principal.claims ?? null;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The client went away: forget the connection without sending anything. */
  forget(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.registry.track(this, false);
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.forget();
    this.registry.options.logger.info({ event: "socket_closed", code, reason, subject: this.claims?.sub }, "websocket closed by the server");
    this.socket.close(code, reason);
  }

  async renew(accessToken: string): Promise<void> {
    const current = this.claims;
    if (current === null) throw new DomainError("UNAUTHENTICATED", MISSING_TOKEN.reason, "This connection has no token to renew; reconnect with one.");
    const { auth } = await this.registry.options.createContext({ authorization: `Bearer ${accessToken}`, client: {}, refreshCookie: null });
    if (auth.claims == null) {
      throw new DomainError("UNAUTHENTICATED", auth.error?.reason ?? "TOKEN_INVALID", auth.error?.message ?? "The access token is invalid.");
    }
    if (auth.claims.sub !== current.sub) {
      throw new DomainError("FORBIDDEN", "SUBJECT_MISMATCH", "The new access token belongs to another user; open a new connection for them.");
    }
    // Closed while the token was being verified (its session ended): nothing to renew.
    if (this.#closed) return;
    this.registry.track(this, false);
    this.principal = auth;
    this.registry.track(this, true);
  }

  /**
   * The user's claims changed: the connection continues with their current claims (the
   * server's own record, as a refresh would issue them); subscriptions they no longer allow
   * end with FORBIDDEN, and a connection left with none closes with 4403.
   */
  async claimsChanged(version: number): Promise<void> {
    const before = this.claims;
    if (before === null || (before.cv ?? 0) >= version) return;
    const own = await this.registry.options.loadClaims(before.sub);
    if (this.#closed) return;
    if (own === null) return this.close(SOCKET_CLOSE.UNAUTHORIZED, "Session ended");
    const registered = Object.fromEntries(Object.entries(before).filter(([name]) => REGISTERED_CLAIM_NAMES.has(name)));
    const claims = Object.freeze({ ...own, ...registered, cv: version }) as TokenClaims;
    this.principal = Object.freeze({ claims, error: null });
    let ended = 0;
    for (const [id, subscription] of this.subscriptions) {
      const guard = this.registry.options.plan.guards.get(`Subscription.${subscription.fieldName}`);
      if (!guard || guard.requirements.holds(claims, subscription.args)) continue;
      this.subscriptions.delete(id);
      ended += 1;
      subscription.end(ForbiddenError.missingClaims(guard.requirements.unmet(claims, subscription.args) ?? []));
    }
    if (ended > 0 && this.subscriptions.size === 0) {
      // Let the FORBIDDEN results go out before the close frame.
      setImmediate(() => this.close(SOCKET_CLOSE.FORBIDDEN, "Forbidden: no subscription is allowed any more"));
    }
  }
}
