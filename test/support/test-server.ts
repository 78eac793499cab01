import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { parseConfig } from "../../src/config/parse-config.js";
import { startServer, type RunningServer, type StartServerOptions } from "../../src/server/start-server.js";
import { createTestClock, type TestClock } from "./test-clock.js";
import { databaseEnvFor, releaseDatabaseFor } from "./test-database.js";

export interface GraphQLResponse<TData = Record<string, any>> {
  status: number;
  headers: Headers;
  body: {
    data?: TData | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  };
}

export interface TestServer {
  readonly server: RunningServer;
  readonly url: string;
  readonly clock: TestClock;
  readonly dataDir: string;
  /** The environment the server was configured from, for CLI runs against the same database and keys. */
  readonly env: Readonly<Record<string, string>>;
  gql<TData = Record<string, any>>(
    query: string,
    options?: { variables?: Record<string, unknown>; token?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<TData>>;
  login(email: string, password: string): Promise<{ accessToken: string; refreshToken: string; user: { id: string } }>;
  stop(): Promise<void>;
}

export const ALICE = { email: "alice@example.com", password: "alice-password-123" } as const;
export const BOB = { email: "bob@example.com", password: "bob-password-123" } as const;

/**
 * The real server, on an ephemeral port, over a fresh database with migrations applied and the
 * demo users seeded: a SQLite file in a temporary folder, or on the PostgreSQL pass a database
 * cloned from the migrated template (test-database.ts). `env` overrides configuration as environment variables would.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { logs?: string[]; preExecutionCheck?: StartServerOptions["preExecutionCheck"]; leanGraphQLPath?: boolean } = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "claimgate-test-"));
  const serverEnv = {
    NODE_ENV: "test",
    PORT: "0",
    DATA_DIR: dataDir,
    JWT_SECRET: randomBytes(48).toString("base64url"),
    SEED_DEMO_USERS: "true",
    LOG_LEVEL: "silent",
    // Most tests register accounts to get tokens; the verification flow has its own tests, with it on.
    REQUIRE_EMAIL_VERIFICATION: "false",
    REGISTER_IP_LIMIT: "10000",
    ...(env["DATABASE_URL"] === undefined ? await databaseEnvFor(env["DATA_DIR"] ?? dataDir) : {}),
    ...env,
  };
  const config = parseConfig(serverEnv);
  const clock = createTestClock();
  // Log lines are collected when asked for, so tests can read them like an operator would.
  const logger = options.logs
    ? pino({ level: "info" }, { write: (line: string) => void options.logs!.push(line) })
    : undefined;
  const server = await startServer({
    config,
    clock,
    ...(logger ? { logger } : {}),
    ...(options.preExecutionCheck ? { preExecutionCheck: options.preExecutionCheck } : {}),
    ...(options.leanGraphQLPath !== undefined ? { leanGraphQLPath: options.leanGraphQLPath } : {}),
  });

  const gql: TestServer["gql"] = async (query, options = {}) => {
    const response = await fetch(server.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        // The media type whose statuses say what happened (401, 403, 429); tests of the legacy
        // application/json statuses ask for it explicitly.
        accept: "application/graphql-response+json",
        ...(options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: JSON.stringify({ query, variables: options.variables }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };

  return {
    server,
    url: server.url,
    clock,
    dataDir,
    env: serverEnv,
    gql,
    async login(email, password) {
      const { body } = await gql(
        `mutation ($email: String!, $password: String!) {
          login(email: $email, password: $password) { accessToken refreshToken user { id } }
        }`,
        { variables: { email, password } },
      );
      if (!body.data?.["login"]) throw new Error(`login failed: ${JSON.stringify(body.errors)}`);
      return body.data["login"];
    },
    async stop() {
      await server.stop();
      await releaseDatabaseFor(dataDir);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The first error's extensions, for assertions on code and reason. */
export function firstError(response: GraphQLResponse): { message: string } & Record<string, any> {
  const error = response.body.errors?.[0];
  if (!error) throw new Error(`expected an error, got ${JSON.stringify(response.body)}`);
  return { message: error.message, ...error.extensions };
}
