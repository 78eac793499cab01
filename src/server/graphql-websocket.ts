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
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer, type WebSocket } from "ws";
import { type LiveConnection, SOCKET_CLOSE, SocketConnections, type SocketConnectionsOptions } from "./socket-connections.js";
import type { GraphQLContext } from "../graphql/context.js";
import { type ErrorCode, errorCodeEntry } from "../domain/error-vocabulary.js";
import { clientAddress, type TrustProxy } from "./client-address.js";
import { matchOrigin, type OriginPattern } from "../config/cors-origins.js";

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

export interface GraphQLWebSocketOptions extends SocketConnectionsOptions {
  httpServer: Server;
  path: string;
  schema: GraphQLSchema;
  /** The same rules as over HTTP: GraphQL Armor's limits and the one-credential-field rule. */
  validationRules: readonly ValidationRule[];
  parseOptions: ParseOptions;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  preExecutionCheck?: PreExecutionCheck;
  trustProxy: TrustProxy;
  /** Browser pages on other origins are refused at the upgrade. */
  corsOrigins: readonly OriginPattern[];
}

/** Operations allowed over the socket besides subscriptions. */
const SOCKET_MUTATIONS = new Set(["renewConnection"]);

/**
 * GraphQL over WebSocket (graphql-ws, subprotocol graphql-transport-ws) on the GraphQL path.
 * A connection authenticates once with `connectionParams.authorization` and then follows its
 * session: it closes with 4401 when the token expires or the session ends, its subscriptions
 * end with FORBIDDEN when the user loses the claims they need (4403 once nothing is left), and
 * `renewConnection` replaces the token without reconnecting.
 */
export function attachGraphQLWebSocket(options: GraphQLWebSocketOptions) {
  const { logger } = options;
  const wsServer = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    // Browsers do not apply CORS to WebSocket: refuse pages on origins CORS_ORIGINS does not allow.
    // Clients that are not browsers send no Origin. (No cookie authenticates a socket, so this is
    // consistency, not the only defence: a connection needs an access token to do anything guarded.)
    verifyClient: ({ origin }: { origin?: string }) => origin === undefined || matchOrigin(options.corsOrigins, origin) !== "refused",
  });
  const connections = new SocketConnections(options);

  type Extra = { socket: WebSocket; request: IncomingMessage; connection?: LiveConnection; client?: { ip: string | null; userAgent: string | null } };
  const operationContexts = new WeakMap<object, { ended: Promise<GraphQLError> }>();

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
        ctx.extra.connection = connections.open(ctx.extra.socket, auth);
        ctx.extra.client = client;
        return true;
      },
      onClose(ctx) {
        ctx.extra.connection?.forget();
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
        const state = { ended };
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
            connection.subscriptions.set(id, { fieldName: field.name.value, args, end: endWith });
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

  const INTERNAL_SERVER_ERROR: ErrorCode = "INTERNAL_SERVER_ERROR";
  function logErrors(args: ExecutionArgs, errors: readonly GraphQLError[]) {
    const requestId = (args.contextValue as GraphQLContext | undefined)?.requestId;
    for (const error of errors) {
      const code = error.extensions?.["code"];
      if (code === undefined || code === INTERNAL_SERVER_ERROR) {
        logger.error({ event: "unexpected_error", requestId, err: error.originalError ?? error }, "unexpected error");
      } else if (errorCodeEntry(code)?.log === "authorization_denied") {
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
      connections.stop();
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
