import { randomUUID } from "node:crypto";
import type { Authenticator } from "../auth/authenticate.js";
import type { Principal } from "../auth/caller.js";
import type { ClientInfo } from "../auth/sessions.js";
import type { GraphQLContext, RefreshCookieJar, Services, SocketConnection } from "./context.js";

export interface ContextInput {
  /** The Authorization header over HTTP; connectionParams.authorization over WebSocket. */
  readonly authorization: string | undefined;
  readonly client: ClientInfo;
  readonly refreshCookie: RefreshCookieJar | null;
}

/** A WebSocket connection whose caller is known: operations on it see its current principal. */
export interface AuthenticatedConnection extends SocketConnection {
  readonly principal: Principal;
}

export type CreateContext = {
  (input: ContextInput): Promise<GraphQLContext>;
  /** An operation on a WebSocket connection: its `auth` follows the connection (renewal, claim changes). */
  (input: ContextInput, connection: AuthenticatedConnection): Promise<GraphQLContext>;
};

/**
 * The one place a request's context is built, for HTTP requests and WebSocket operations alike:
 * the same authenticator, the same client information, a fresh request id.
 */
export function contextFactory(authenticator: Authenticator, services: Services): CreateContext {
  return (async (input: ContextInput, connection?: AuthenticatedConnection): Promise<GraphQLContext> => {
    const base = { services, client: input.client, requestId: randomUUID(), refreshCookie: input.refreshCookie };
    if (connection === undefined) {
      return { ...base, auth: await authenticator.authenticate(input.authorization), connection: null };
    }
    return {
      ...base,
      get auth() {
        return connection.principal;
      },
      connection,
    };
  }) as CreateContext;
}
