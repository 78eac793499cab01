import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from "@apollo/server/plugin/disabled";
import express from "express";
import type { Config } from "../config/config.js";
import { buildSchema } from "../graphql/build-schema.js";
import type { GraphQLContext, Services } from "../graphql/context.js";
import { createErrorFormatter } from "../graphql/format-error.js";
import { migrationsDirFor, readMigrationList } from "../db/migrations.js";
import { httpStatusPlugin } from "./http-status-plugin.js";
import { unsupportedOperationPlugin } from "./unsupported-operation-plugin.js";
import { authorizationPlugin } from "./authorization-plugin.js";
import { createWouldDenyReporter } from "./would-deny-reporter.js";
import { bodyErrorHandler } from "./body-error-handler.js";
import { requestLogPlugin } from "./request-log-plugin.js";
import { mountOperationalRoutes } from "./operational-routes.js";
import { mountAccountLinkPages } from "./account-link-pages.js";
import { IntrospectionDisabledRule } from "./introspection-disabled-rule.js";
import { operationProtection } from "./operation-protection.js";
import { createServices } from "./create-services.js";
import type { ExpiredRowPruner } from "../auth/expired-row-pruner.js";
import { createLogger, type Logger } from "./logger.js";
import { SANDBOX_DOCUMENT } from "./sandbox-document.js";
import { contextFactory } from "../graphql/create-context.js";
import { describeAuthorization } from "../authz/apply-requires-claims.js";
import { tokenClaimsOf } from "../domain/roles.js";
import { corsMiddleware } from "./cors-middleware.js";
import { directRoutes } from "./direct-routes.js";
import { graphqlHttpHandler } from "./graphql-http-handler.js";
import { BoundedDocumentStore } from "./bounded-document-store.js";
import { leanGraphQLPath } from "./lean-graphql-path.js";
import { PreparedDocuments } from "./prepared-documents.js";
import { jsonBody } from "./json-body.js";
import { landingPage } from "./landing-page.js";
import { DEMO_USERS } from "../db/seed-demo-data.js";
import { requestContext } from "./request-context.js";
import { attachGraphQLWebSocket, type PreExecutionCheck } from "./graphql-websocket.js";
import { socketAuthorizationCheck } from "./socket-authorization-check.js";

export interface StartServerOptions {
  config: Config;
  logger?: Logger;
  /** Injected so tests can move time. @default () => new Date() */
  clock?: () => Date;
  /** The pre-execution check for operations over WebSocket (HTTP runs it as a plugin). @default socketAuthorizationCheck(schema) */
  preExecutionCheck?: PreExecutionCheck;
  /** Serve common requests on the lean path (lean-graphql-path.ts); false sends every request through Apollo's pipeline (tests compare the two). @default true */
  leanGraphQLPath?: boolean;
}

export interface RunningServer {
  /** Where GraphQL is served, e.g. http://127.0.0.1:4000/graphql */
  readonly url: string;
  readonly port: number;
  readonly services: Services;
  /** The background job deleting rows that can no longer matter (runs every few minutes on its own). */
  readonly pruner: ExpiredRowPruner;
  /** Open authenticated WebSocket connections. */
  socketCount(): number;
  /** GraphQL requests answered on the lean path, without Apollo's request pipeline (lean-graphql-path.ts). */
  leanRequestCount(): number;
  /** Stops accepting connections, lets in-flight requests finish, then closes the database. */
  stop(): Promise<void>;
}

export const GRAPHQL_PATH = "/graphql";

/**
 * The HTTP server with explicit timeouts instead of Node's (headers 60 s, request 300 s): a
 * client that trickles its headers or body (slowloris) holds a socket for at most
 * HTTP_HEADERS_TIMEOUT / HTTP_REQUEST_TIMEOUT and gets 408; idle keep-alive connections close
 * after HTTP_KEEP_ALIVE_TIMEOUT, which should exceed a load balancer's idle timeout (60 s on
 * AWS ALB) so the balancer never reuses a connection the server is closing. Node checks these
 * every second instead of every 30 s, so the limits hold closely.
 */
function createHttpServer(listener: http.RequestListener, timeouts: Config["httpTimeouts"]): http.Server {
  const server = http.createServer(
    { headersTimeout: timeouts.headersMs, requestTimeout: timeouts.requestMs, keepAliveTimeout: timeouts.keepAliveMs, connectionsCheckingInterval: 1000 },
    listener,
  );
  server.keepAliveTimeout = timeouts.keepAliveMs;
  // The client's address is the key of every per-IP limit. Node asks the OS for it only when first
  // read, and a destroyed socket has none: a client that hangs up right after a gzip body (inflated
  // off the main thread) would reach GraphQL without an address, outside every per-IP limit. Read
  // once per connection, Node keeps it for the socket's life.
  server.on("connection", (socket: Socket) => void socket.remoteAddress);
  return server;
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config);
  const clock = options.clock ?? (() => new Date());
  const wouldDeny = createWouldDenyReporter(logger);
  const schema = buildSchema(undefined, { onWouldDeny: wouldDeny.listener });
  let origin = "";
  const services = await createServices({ config, logger, clock, publicOrigin: () => origin });
  const { authenticator, keys, externalIssuers, close, revokedSessionCount, claimsChangedCount, revokedSessions, changeFeed, pruner, ...contextServices } = services;
  const createContext = contextFactory(authenticator, contextServices);

  // Warm the issuers' key caches without delaying startup: a provider that is down must not stop our own tokens.
  for (const external of externalIssuers.values()) void external.keys.ensureLoaded();

  const app = express();
  app.disable("x-powered-by");
  // Login limits key on the client IP: believe X-Forwarded-For only from configured proxies.
  app.set("trust proxy", config.trustProxy);
  const routes = directRoutes(app, {
    onAbandoned: (error) => logger.error({ event: "response_abandoned", err: error }, "a response failed after it had begun; the connection was closed"),
  });
  const httpServer = createHttpServer(routes.listener, config.httpTimeouts);
  const development = config.env === "development";

  const protection = operationProtection({ limits: config.limits, blockFieldSuggestions: !development });
  // The same rules and the same error formatting for HTTP and WebSocket.
  const validationRules = [...protection.validationRules, ...(config.introspection ? [] : [IntrospectionDisabledRule])];
  const formatError = createErrorFormatter({ exposeInternals: development || config.debugErrors });

  // The plugins that act on requests, given to Apollo and, the same objects, to the lean path.
  const requestPlugins: ApolloServerPlugin<GraphQLContext>[] = [
    ...protection.plugins,
    authorizationPlugin({ schema, logger }),
    httpStatusPlugin({ realm: config.realm }),
    unsupportedOperationPlugin(),
    requestLogPlugin(logger),
  ];
  const includeStacktraceInErrorResponses = config.debugErrors;
  // Common requests skip Apollo's request pipeline and are answered as Apollo would (lean-graphql-path.ts).
  const lean =
    options.leanGraphQLPath === false
      ? undefined
      : leanGraphQLPath({
          schema,
          plugins: requestPlugins,
          documents: new PreparedDocuments({ schema, validationRules, parseOptions: protection.parseOptions }),
          errors: { formatError, includeStacktraceInErrorResponses },
        });
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    // Our own rule refuses introspection, with a message that names INTROSPECTION.
    introspection: true,
    // Stack traces only on request: a development 403 stays one line unless DEBUG_ERRORS=1.
    includeStacktraceInErrorResponses,
    hideSchemaDetailsFromClientErrors: !development,
    formatError,
    // A browser sends Authorization only after a CORS preflight, so a GET carrying it is no
    // cross-site "simple request": urql's default GET for queries works once authenticated.
    csrfPrevention: { requestHeaders: ["x-apollo-operation-name", "apollo-require-preflight", "authorization"] },
    // Array batching would let one request carry many login attempts.
    allowBatchedHttpRequests: false,
    validationRules,
    parseOptions: protection.parseOptions,
    // Bounded by the tokens documents keep, not their JSON size (bounded-document-store.ts).
    documentStore: new BoundedDocumentStore(),
    plugins: [
      // Per-request work that serves no user of this API: cache-control hints (nothing sets
      // them; the plugin cost ~650 µs per 100-post request) and Apollo Studio reporting.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ...requestPlugins,
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // landing-page.ts serves browsers: it helps even when Apollo's CDN cannot be reached.
      ApolloServerPluginLandingPageDisabled(),
      // The lean path serves while Apollo would (from start until it begins to stop).
      ...(lean ? [lean.lifecyclePlugin] : []),
    ],
  });
  await apollo.start();
  const socketGateway = attachGraphQLWebSocket({
    httpServer,
    path: GRAPHQL_PATH,
    schema,
    plan: describeAuthorization(schema),
    createContext,
    validationRules,
    parseOptions: protection.parseOptions,
    formatError,
    preExecutionCheck: options.preExecutionCheck ?? socketAuthorizationCheck(schema),
    revokedSessions,
    loadClaims: async (userId) => {
      const user = await services.db.user.findUnique({ where: { id: userId } });
      // The claims a refresh would put in a new token: the user's own and their roles' grants.
      return user === null || user.disabledAt !== null || user.deletedAt !== null ? null : tokenClaimsOf(services.db, user);
    },
    clock,
    clockToleranceSeconds: config.tokens.clockToleranceSeconds,
    sweepIntervalMs: config.revocationSyncSeconds * 1000,
    trustProxy: app.get("trust proxy fn"),
    corsOrigins: config.corsOrigins,
    logger,
  });

  mountOperationalRoutes(app, {
    db: services.db,
    expectedMigrations: (await readMigrationList(migrationsDirFor(config.databaseUrl))).migrationDirectories.map((directory) => directory.path),
    jwks: keys.jwks,
    issuerKeys: [...externalIssuers.values()].map((external) => external.keys),
    cacheStats: () => authenticator.cacheStats(),
    revokedSessionCount,
    claimsChangedCount,
    changeFeedConnected: () => {
      const feed = changeFeed();
      return feed.pushes ? Number(feed.connected) : undefined;
    },
    socketCount: () => socketGateway.connectionCount,
    leanRequestCount: () => lean?.servedCount ?? 0,
    metricsToken: config.metricsToken,
    metricsEnabled: config.env !== "production" || config.metricsToken !== null,
    wouldDenyCounts: wouldDeny.counts,
    onReadinessChange: (readiness) =>
      readiness.ready
        ? logger.info({ event: "readiness_changed", ready: true }, "ready again")
        : logger.warn({ event: "readiness_changed", ready: false, fault: readiness.fault, reason: readiness.reason }, `not ready: ${readiness.reason}`),
  });
  app.get("/", (_req, res) => res.redirect(GRAPHQL_PATH));
  // Links in mails point here while APP_URL is unset (development): serve the pages they open.
  if (config.mail.appUrl === null) mountAccountLinkPages(app, GRAPHQL_PATH);
  app.get(
    GRAPHQL_PATH,
    landingPage({
      endpoint: (requestOrigin) => `${requestOrigin}${GRAPHQL_PATH}`,
      development,
      sandbox: config.sandbox,
      demoLogins: config.seedDemoUsers ? DEMO_USERS : [],
      sandboxDocument: SANDBOX_DOCUMENT,
    }),
  );
  const cookieOptions = { corsOrigins: config.corsOrigins, maxAgeSeconds: config.tokens.refreshTokenTtlSeconds };
  const graphqlHandlers = [
    corsMiddleware(config.corsOrigins),
    jsonBody({ limitBytes: 100 * 1024 }),
    graphqlHttpHandler(apollo, { context: requestContext(createContext, { cookies: cookieOptions, trustProxy: app.get("trust proxy fn") }), lean }),
  ];
  // Every client's POST to the endpoint skips the router; GETs (the landing page) and other forms of the URL take it.
  routes.add({ method: "POST", path: GRAPHQL_PATH, handlers: graphqlHandlers, onError: bodyErrorHandler });
  app.use(GRAPHQL_PATH, ...graphqlHandlers);
  app.use((req, res) => {
    res.status(404).json({ errors: [{ message: `Nothing is served at ${req.method} ${req.path.slice(0, 100)}; GraphQL is at ${GRAPHQL_PATH}.`, extensions: { code: "NOT_FOUND" } }] });
  });
  app.use(bodyErrorHandler);

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once("error", reject);
      httpServer.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    // Port taken or not permitted: release what startup opened before reporting it.
    await socketGateway.close();
    await apollo.stop();
    await close();
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host === "0.0.0.0" ? "localhost" : config.host;
  origin = `http://${host}:${port}`;

  return {
    url: `http://${host}:${port}${GRAPHQL_PATH}`,
    port,
    services: contextServices,
    pruner,
    socketCount: () => socketGateway.connectionCount,
    leanRequestCount: () => lean?.servedCount ?? 0,
    async stop() {
      await socketGateway.close();
      await apollo.stop();
      await close();
    },
  };
}
