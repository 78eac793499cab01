import type { IncomingMessage, Server } from "node:http";
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  getArgumentValues,
  getOperationAST,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  parse,
  type ParseOptions,
  specifiedRules,
  subscribe as graphqlSubscribe,
  validate,
  type ValidationRule,
} from "graphql";
import { CloseCode } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer, type WebSocket } from "ws";
import type { Principal } from "../auth/authenticate.js";
import type { RevokedSessions } from "../auth/revoked-sessions.js";
import type { AuthorizationPlan } from "../authz/authorization-plan.js";
import { ForbiddenError } from "../authz/authorization-errors.js";
import { DomainError } from "../domain/domain-error.js";
import { REGISTERED_CLAIM_NAMES } from "../domain/registered-claims.js";
import type { AuthenticatedConnection, CreateContext } from "../graphql/create-context.js";
import type { GraphQLContext } from "../graphql/context.js";
import { clientAddress, type TrustProxy } from "./client-address.js";
import { matchOrigin, type OriginPattern } from "../config/cors-origins.js";
import type { Logger } from "./logger.js";

/** Close codes the server uses beyond graphql-ws's own. */
export const SOCKET_CLOSE = {
  /** The token expired or its session ended: get a new token (refresh or log in), then reconnect. graphql-ws's client does not retry it. */
  UNAUTHORIZED: 4401,
  /** Nothing the caller subscribed to is allowed any more. graphql-ws's client retries it (CloseCode.Forbidden). */
  FORBIDDEN: CloseCode.Forbidden,
} as const;

/**
 * Where the pre-execution authorization analysis plugs in: it sees each operation before it
 * starts (over HTTP it runs as an Apollo plugin) and returns the errors that refuse it.
 */
export type PreExecutionCheck = (operation: {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | null | undefined;
  context: GraphQLContext;
}) => readonly GraphQLError[] | Promise<readonly GraphQLError[]>;

export interface GraphQLWebSocketOptions {
  httpServer: Server;
  path: string;
  schema: GraphQLSchema;
  plan: AuthorizationPlan;
  createContext: CreateContext;
  /** The same rules as over HTTP: GraphQL Armor's limits and the one-credential-field rule. */
  validationRules: readonly ValidationRule[];
  parseOptions: ParseOptions;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  preExecutionCheck?: PreExecutionCheck;
  revokedSessions: RevokedSessions;
  /** Reads the user's current claims, or null when the account is gone or disabled. */
  loadClaims: (userId: string) => Promise<Record<string, unknown> | null>;
  clock: () => Date;
  clockToleranceSeconds: number;
  /** How often every connection's token expiry and revocations from other processes are checked. */
  sweepIntervalMs: number;
  trustProxy: TrustProxy;
  /** Browser pages on other origins are refused at the upgrade. */
  corsOrigins: readonly OriginPattern[];
  logger: Logger;
}

type TokenClaims = NonNullable<Principal["claims"]>;

/** Operations allowed over the socket besides subscriptions. */
const SOCKET_MUTATIONS = new Set(["renewConnection"]);

interface LiveSubscription {
  readonly requestId: string;
  readonly fieldName: string;
  readonly args: Record<string, unknown>;
  /** Ends the subscription with this error as its last result. */
  end(error: GraphQLError): void;
}

/**
 * GraphQL over WebSocket (graphql-ws, subprotocol graphql-transport-ws) on the GraphQL path.
 * A connection authenticates once with `connectionParams.authorization` and then follows its
 * session: it closes with 4401 when the token expires or the session ends, its subscriptions
 * end with FORBIDDEN when the user loses the claims they need (4403 once nothing is left), and
 * `renewConnection` replaces the token without reconnecting.
 */
export function attachGraphQLWebSocket(options: GraphQLWebSocketOptions) {
  const { logger, clock } = options;
  const wsServer = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    // Browsers do not apply CORS to WebSocket: refuse pages on origins CORS_ORIGINS does not allow.
    // Clients that are not browsers send no Origin. (No cookie authenticates a socket, so this is
    // consistency, not the only defence: a connection needs an access token to do anything guarded.)
    verifyClient: ({ origin }: { origin?: string }) => origin === undefined || matchOrigin(options.corsOrigins, origin) !== "refused",
  });
  const connections = new Set<Connection>();
  const bySession = new Map<string, Set<Connection>>();
  const bySubject = new Map<string, Set<Connection>>();
  const index = (map: Map<string, Set<Connection>>, key: string | undefined, connection: Connection, add: boolean) => {
    if (key === undefined) return;
    let set = map.get(key);
    if (add) {
      if (!set) map.set(key, (set = new Set()));
      set.add(connection);
    } else if (set) {
      set.delete(connection);
      if (set.size === 0) map.delete(key);
    }
  };

  class Connection implements AuthenticatedConnection {
    principal: Principal;
    readonly subscriptions = new Map<string, LiveSubscription>();
    closed = false;

    constructor(
      readonly socket: WebSocket,
      principal: Principal,
    ) {
      this.principal = principal;
    }

    get claims(): TokenClaims | null {
      return this.principal.claims ?? null;
    }

    track(add: boolean): void {
      index(bySession, this.claims?.sid, this, add);
      index(bySubject, this.claims?.sub, this, add);
      if (add) connections.add(this);
      else connections.delete(this);
    }

    close(code: number, reason: string): void {
      if (this.closed) return;
      this.closed = true;
      this.track(false);
      logger.info({ event: "socket_closed", code, reason, subject: this.claims?.sub }, "websocket closed by the server");
      this.socket.close(code, reason);
    }

    async renew(accessToken: string): Promise<void> {
      const current = this.claims;
      if (current === null) throw new DomainError("UNAUTHENTICATED", "MISSING_TOKEN", "This connection has no token to renew; reconnect with one.");
      const { auth } = await options.createContext({ authorization: `Bearer ${accessToken}`, client: {}, refreshCookie: null });
      if (auth.claims == null) {
        throw new DomainError("UNAUTHENTICATED", auth.error?.reason ?? "TOKEN_INVALID", auth.error?.message ?? "The access token is invalid.");
      }
      if (auth.claims.sub !== current.sub) {
        throw new DomainError("FORBIDDEN", "SUBJECT_MISMATCH", "The new access token belongs to another user; open a new connection for them.");
      }
      // Closed while the token was being verified (its session ended): nothing to renew.
      if (this.closed) return;
      this.track(false);
      this.principal = auth;
      this.track(true);
    }

    /** Expired, or its session ended in another process: checked on every sweep. */
    checkToken(nowSeconds: number): void {
      const claims = this.claims;
      if (claims === null) return;
      if (options.revokedSessions.has(claims.sid)) this.close(SOCKET_CLOSE.UNAUTHORIZED, "Session ended");
      else if (claims.exp + options.clockToleranceSeconds <= nowSeconds) this.close(SOCKET_CLOSE.UNAUTHORIZED, "Token expired");
      else {
        const floor = options.revokedSessions.claimsVersionOf(claims.sub);
        if (floor !== undefined && (claims.cv ?? 0) < floor) void this.claimsChanged(floor);
      }
    }

    /**
     * The user's claims changed: the connection continues with their current claims (the
     * server's own record, as a refresh would issue them); subscriptions they no longer allow
     * end with FORBIDDEN, and a connection left with none closes with 4403.
     */
    async claimsChanged(version: number): Promise<void> {
      const before = this.claims;
      if (before === null || (before.cv ?? 0) >= version) return;
      const own = await options.loadClaims(before.sub);
      if (this.closed) return;
      if (own === null) return this.close(SOCKET_CLOSE.UNAUTHORIZED, "Session ended");
      const registered = Object.fromEntries(Object.entries(before).filter(([name]) => REGISTERED_CLAIM_NAMES.has(name)));
      const claims = Object.freeze({ ...own, ...registered, cv: version }) as TokenClaims;
      this.principal = Object.freeze({ claims, error: null });
      let ended = 0;
      for (const [id, subscription] of this.subscriptions) {
        const guard = options.plan.guards.get(`Subscription.${subscription.fieldName}`);
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

  const stopListening = options.revokedSessions.listen({
    sessionsRevoked(sessionIds) {
      for (const id of sessionIds) for (const connection of [...(bySession.get(id) ?? [])]) connection.close(SOCKET_CLOSE.UNAUTHORIZED, "Session ended");
    },
    claimsChanged(userId, version) {
      for (const connection of bySubject.get(userId) ?? []) {
        connection.claimsChanged(version).catch((error: unknown) => logger.error({ event: "socket_claims_reload_failed", err: error }, "could not reload claims"));
      }
    },
  });
  const sweep = setInterval(() => {
    const now = Math.floor(clock().getTime() / 1000);
    for (const connection of [...connections]) connection.checkToken(now);
  }, options.sweepIntervalMs);
  sweep.unref();

  type Extra = { socket: WebSocket; request: IncomingMessage; connection?: Connection; client?: { ip: string | null; userAgent: string | null } };
  const operationContexts = new WeakMap<object, { connection: Connection; subscription?: LiveSubscription; ended: Promise<GraphQLError>; endWith: (error: GraphQLError) => void }>();

  const format = (error: GraphQLError): GraphQLFormattedError => {
    const formatted = error.toJSON();
    const code = formatted.extensions?.["code"];
    return options.formatError(code === undefined ? { ...formatted, extensions: { ...formatted.extensions, code: "INTERNAL_SERVER_ERROR" } } : formatted, error);
  };
  const refuse = (code: string, message: string) => [new GraphQLError(message, { extensions: { code } })];

  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema: options.schema,
      async onConnect(ctx) {
        const authorization = ctx.connectionParams?.["authorization"] ?? ctx.connectionParams?.["Authorization"];
        const request = ctx.extra.request;
        const client = { ip: clientAddress(request, options.trustProxy), userAgent: request.headers["user-agent"] ?? null };
        const { auth } = await options.createContext({
          authorization: typeof authorization === "string" ? authorization : undefined,
          client,
          refreshCookie: null,
        });
        if (auth.error) {
          // A rejected token is refused at once with the code that tells the client to get a new one.
          ctx.extra.socket.close(SOCKET_CLOSE.UNAUTHORIZED, `${auth.error.reason}: ${auth.error.message}`.slice(0, 120));
          return false;
        }
        const connection = new Connection(ctx.extra.socket, auth);
        connection.track(true);
        ctx.extra.connection = connection;
        ctx.extra.client = client;
        return true;
      },
      onClose(ctx) {
        const connection = ctx.extra.connection;
        if (connection) {
          connection.closed = true;
          connection.track(false);
        }
      },
      async onSubscribe(ctx, id, payload) {
        const connection = ctx.extra.connection!;
        let document: DocumentNode;
        try {
          document = parse(payload.query, options.parseOptions);
        } catch (error) {
          return refuse("GRAPHQL_PARSE_FAILED", (error as Error).message);
        }
        const validationErrors = validate(options.schema, document, [...specifiedRules, ...options.validationRules]);
        if (validationErrors.length > 0) {
          return validationErrors.map((error) => new GraphQLError(error.message, { nodes: error.nodes ?? null, extensions: { ...error.extensions, code: "GRAPHQL_VALIDATION_FAILED" } }));
        }
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return refuse("BAD_REQUEST", "Name the operation to run (operationName).");
        if (!allowedOverSocket(operation)) {
          return refuse("BAD_REQUEST", "Only subscriptions and renewConnection run over WebSocket; send queries and mutations over HTTP.");
        }
        const context = await options.createContext({ authorization: undefined, client: ctx.extra.client ?? {}, refreshCookie: null }, connection);
        const variables = payload.variables ?? null;
        if (options.preExecutionCheck) {
          // The operation's own name when the client sent none (graphql-ws's client usually does not).
          const operationName = payload.operationName ?? operation.name?.value ?? null;
          const refused = await options.preExecutionCheck({ schema: options.schema, document, operationName, variables, context });
          if (refused.length > 0) return refused;
        }
        let endWith!: (error: GraphQLError) => void;
        const ended = new Promise<GraphQLError>((resolve) => (endWith = resolve));
        const state: { connection: Connection; subscription?: LiveSubscription; ended: Promise<GraphQLError>; endWith: (error: GraphQLError) => void } = { connection, ended, endWith };
        if (operation.operation === "subscription") {
          const field = operation.selectionSet.selections[0];
          const root = options.schema.getSubscriptionType()!;
          if (field?.kind === "Field") {
            const definition = root.getFields()[field.name.value];
            let args: Record<string, unknown> = {};
            try {
              args = definition ? getArgumentValues(definition, field, coerceVariables(variables)) : {};
            } catch {
              args = {};
            }
            const subscription: LiveSubscription = { requestId: context.requestId, fieldName: field.name.value, args, end: endWith };
            state.subscription = subscription;
            connection.subscriptions.set(id, subscription);
          }
        }
        operationContexts.set(context, state);
        logger.info(
          {
            event: "socket_operation",
            requestId: context.requestId,
            operationName: payload.operationName ?? null,
            operation: operation.operation,
            subject: connection.claims?.sub,
            ip: context.client.ip,
          },
          "websocket operation",
        );
        const args: ExecutionArgs = { schema: options.schema, document, operationName: payload.operationName ?? null, variableValues: variables, contextValue: context };
        return args;
      },
      async subscribe(args) {
        const result = await graphqlSubscribe(args);
        const state = operationContexts.get(args.contextValue as object);
        if (!isAsyncIterable(result) || !state) return result;
        return endable(result, state.ended);
      },
      onNext(_ctx, _id, _payload, args, result) {
        if (!result.errors) return;
        logErrors(args, result.errors);
        return { ...result, errors: result.errors.map(format) };
      },
      onError(_ctx, _id, _payload, errors) {
        return errors.map(format);
      },
      onComplete(ctx, id) {
        ctx.extra.connection?.subscriptions.delete(id);
      },
    },
    wsServer,
  );

  function logErrors(args: ExecutionArgs, errors: readonly GraphQLError[]) {
    const requestId = (args.contextValue as GraphQLContext | undefined)?.requestId;
    for (const error of errors) {
      const code = error.extensions?.["code"];
      if (code === undefined || code === "INTERNAL_SERVER_ERROR") {
        logger.error({ event: "unexpected_error", requestId, err: error.originalError ?? error }, "unexpected error");
      } else if (code === "FORBIDDEN" || code === "UNAUTHENTICATED") {
        logger.info({ event: "authorization_denied", requestId, path: error.path?.join("."), code, reason: error.extensions["reason"] }, "authorization denied");
      }
    }
  }

  return {
    /** Open authenticated connections, for metrics and the bench. */
    get connectionCount() {
      return connections.size;
    },
    async close(): Promise<void> {
      stopListening();
      clearInterval(sweep);
      for (const client of wsServer.clients) client.close(1001, "Server shutting down");
      await disposable.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}


function allowedOverSocket(operation: OperationDefinitionNode): boolean {
  if (operation.operation === "subscription") return true;
  if (operation.operation !== "mutation") return false;
  return operation.selectionSet.selections.every((selection) => selection.kind === "Field" && SOCKET_MUTATIONS.has(selection.name.value));
}

function coerceVariables(variables: Record<string, unknown> | null): Record<string, unknown> {
  return variables ?? {};
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/** The subscription's results until `ended` settles; then that error as a last result, and the end. */
async function* endable(source: AsyncIterable<ExecutionResult>, ended: Promise<GraphQLError>): AsyncGenerator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  const stop = ended.then((error) => ({ stop: error }) as const);
  try {
    while (true) {
      const next = await Promise.race([iterator.next(), stop]);
      if ("stop" in next) {
        yield { data: null, errors: [next.stop] };
        return;
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}
