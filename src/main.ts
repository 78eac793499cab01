// `npm start`: configuration from the environment, then the server.
import type { Config } from "./config/config.js";
import { ConfigError } from "./config/config-error.js";
import { loadConfig } from "./config/load-config.js";
import { DEMO_USERS } from "./db/seed-demo-data.js";
import { describeStartupFailure } from "./server/describe-startup-failure.js";
import { createLogger, resolveLogFormat } from "./server/logger.js";
import { startServer } from "./server/start-server.js";

let startedWith: Config | null = null;

async function main(): Promise<void> {
  const config = loadConfig();
  startedWith = config;
  const terminal = process.stdout.isTTY === true;
  const logger = createLogger(config, { terminal });
  const server = await startServer({ config, logger });
  logger.info({ event: "server_started", url: server.url, env: config.env }, `claimgate is serving GraphQL at ${server.url}`);
  if (config.seedDemoUsers) {
    const banner =
      `\n  claimgate (${config.env}) at ${server.url}${config.sandbox ? "  (open it in a browser for Apollo Sandbox)" : ""}\n` +
      `  demo logins (restored as shown at every start; \`npm run db:reset\` recreates all data):\n` +
      `${DEMO_USERS.map((user) => `    ${user.email} / ${user.password}  role ${user.roles.join(", ")}`).join("\n")}\n\n`;
    // Stdout carries only log lines when they are JSON, so log collectors never see the banner.
    (resolveLogFormat(config, terminal) === "json" ? process.stderr : process.stdout).write(banner);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: "server_stopping", signal }, "stopping: finishing in-flight requests");
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  process.stderr.write(`${describeFailure(error)}\n`);
  process.exit(1);
});

/** A failure to start, as the operator should read it: what to change, without a stack trace. */
function describeFailure(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (error instanceof ConfigError || code === "ERR_SCHEMA_AUTHORIZATION" || code === "ERR_MISSING_RESOLVERS" || (error as Error).name === "LostDatabaseError") {
    return `claimgate cannot start.\n${(error as Error).message}`;
  }
  const known = startedWith ? describeStartupFailure(error, startedWith) : null;
  if (known) return `claimgate cannot start: ${known}`;
  // Not a setting anyone can change: a bug, whose stack trace belongs in the report.
  return `claimgate failed to start: ${(error as Error).stack ?? String(error)}`;
}
