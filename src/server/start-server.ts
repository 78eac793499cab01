import http from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import type { Config } from "../config/config.js";
import { buildSchema } from "../graphql/build-schema.js";
import type { GraphQLContext, Services } from "../graphql/context.js";
import { createErrorFormatter } from "../graphql/format-error.js";
import { readMigrationList } from "../db/migrations.js";
import { MIGRATIONS_DIR } from "../project-root.js";
import { httpStatusPlugin } from "./http-status-plugin.js";
import { bodyErrorHandler } from "./body-error-handler.js";
import { requestLogPlugin } from "./request-log-plugin.js";
import { mountOperationalRoutes } from "./operational-routes.js";
import { mountAccountLinkPages } from "./account-link-pages.js";
import { operationProtection } from "./operation-protection.js";
import { createServices } from "./create-services.js";
import { createLogger, type Logger } from "./logger.js";
import { SANDBOX_DOCUMENT } from "./sandbox-document.js";
import { contextFactory } from "../graphql/create-context.js";
import { describeAuthorization } from "../authz/apply-requires-claims.js";
import { decodeStoredClaims } from "../domain/user-claims.js";
import { corsMiddleware } from "./cors-middleware.js";
import { landingPage } from "./landing-page.js";
import { subscriptionsOverHttpPlugin } from "./subscriptions-over-http.js";
import { DEMO_USERS } from "../db/seed-demo-data.js";
import { refreshCookieJar } from "./refresh-cookie.js";
import { attachGraphQLWebSocket, type PreExecutionCheck } from "./graphql-websocket.js";

export interface StartServerOptions {
  config: Config;
  logger?: Logger;
  /** Injected so tests can move time. @default () => new Date() */
  clock?: () => Date;
  /** The pre-execution authorization analysis, for operations over WebSocket (HTTP runs it as a plugin). */
  preExecutionCheck?: PreExecutionCheck;
}

export interface RunningServer {
  /** Where GraphQL is served, e.g. http://127.0.0.1:4000/graphql */
  readonly url: string;
  readonly port: number;
  readonly services: Services;
  /** Open authenticated WebSocket connections. */
  socketCount(): number;
  /** Stops accepting connections, lets in-flight requests finish, then closes the database. */
  stop(): Promise<void>;
}

export const GRAPHQL_PATH = "/graphql";

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config);
  const clock = options.clock ?? (() => new Date());
  const schema = buildSchema();
  let origin = "";
  const services = await createServices({ config, logger, clock, publicOrigin: () => origin });
  const { authenticator, keys, close, revokedSessionCount, claimsChangedCount, revokedSessions, ...contextServices } = services;
  const createContext = contextFactory(authenticator, contextServices);

  const app = express();
  app.disable("x-powered-by");
  // Login limits key on the client IP: believe X-Forwarded-For only from configured proxies.
  app.set("trust proxy", config.trustProxy);
  const httpServer = http.createServer(app);
  const development = config.env === "development";

  const protection = operationProtection({ limits: config.limits, blockFieldSuggestions: !development });

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: development,
    hideSchemaDetailsFromClientErrors: !development,
    formatError: createErrorFormatter({ exposeInternals: development }),
    // A browser sends Authorization only after a CORS preflight, so a GET carrying it is no
    // cross-site "simple request": urql's default GET for queries works once authenticated.
    csrfPrevention: { requestHeaders: ["x-apollo-operation-name", "apollo-require-preflight", "authorization"] },
    // Array batching would let one request carry many login attempts.
    allowBatchedHttpRequests: false,
    validationRules: protection.validationRules,
    parseOptions: protection.parseOptions,
    plugins: [
      // Per-request work that serves no user of this API: cache-control hints (nothing sets
      // them; the plugin cost ~650 µs per 100-post request) and Apollo Studio reporting.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ...protection.plugins,
      ApolloServerPluginDrainHttpServer({ httpServer }),
      subscriptionsOverHttpPlugin(GRAPHQL_PATH),
      httpStatusPlugin({ realm: config.realm }),
      requestLogPlugin(logger),
      // landing-page.ts serves browsers: it helps even when Apollo's CDN cannot be reached.
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();
  const socketGateway = attachGraphQLWebSocket({
    httpServer,
    path: GRAPHQL_PATH,
    schema,
    plan: describeAuthorization(schema),
    createContext,
    validationRules: protection.validationRules,
    parseOptions: protection.parseOptions,
    formatError: createErrorFormatter({ exposeInternals: development }),
    ...(options.preExecutionCheck ? { preExecutionCheck: options.preExecutionCheck } : {}),
    revokedSessions,
    loadClaims: async (userId) => {
      const user = await services.db.user.findUnique({ where: { id: userId } });
      return user === null || user.disabledAt !== null || user.deletedAt !== null ? null : decodeStoredClaims(user.claims);
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
    expectedMigrations: (await readMigrationList(MIGRATIONS_DIR)).migrationDirectories.map((directory) => directory.path),
    jwks: keys.jwks,
    cacheStats: () => authenticator.cacheStats(),
    revokedSessionCount,
    claimsChangedCount,
    metricsToken: config.metricsToken,
    metricsEnabled: config.env !== "production" || config.metricsToken !== null,
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
  app.use(
    GRAPHQL_PATH,
    ...corsMiddleware(config.corsOrigins),
    express.json({ limit: "100kb" }),
    expressMiddleware(apollo, {
      context: ({ req, res }) =>
        createContext({
          authorization: req.headers.authorization,
          client: { ip: req.ip ?? null, userAgent: req.headers["user-agent"] ?? null },
          refreshCookie: refreshCookieJar(req, res, cookieOptions),
        }),
    }),
  );
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
    socketCount: () => socketGateway.connectionCount,
    async stop() {
      await socketGateway.close();
      await apollo.stop();
      await close();
    },
  };
}
