// `npm start`: configuration from the environment, then the server.
import { ConfigError } from "./config/config-error.js";
import { loadConfig } from "./config/load-config.js";
import { DEMO_USERS } from "./db/seed-demo-data.js";
import { createLogger } from "./server/logger.js";
import { startServer } from "./server/start-server.js";

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  const server = await startServer({ config, logger });
  logger.info({ event: "server_started", url: server.url, env: config.env }, `claimgate is serving GraphQL at ${server.url}`);
  if (config.seedDemoUsers) {
    process.stdout.write(
      `\n  claimgate (${config.env}) at ${server.url}${config.sandbox ? "  (open it in a browser for Apollo Sandbox)" : ""}\n` +
        `  demo logins:\n${DEMO_USERS.map((user) => `    ${user.email} / ${user.password}  role ${user.roles.join(", ")}`).join("\n")}\n\n`,
    );
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
  if (error instanceof ConfigError || (error as { code?: string }).code === "ERR_SCHEMA_AUTHORIZATION") {
    process.stderr.write(`claimgate cannot start.\n${(error as Error).message}\n`);
  } else {
    process.stderr.write(`claimgate failed to start: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
