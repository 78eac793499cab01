// `npm run db:reset` (development only): deletes the database, applies every migration and
// creates the demo accounts and posts again, as on a first start.
import { rm } from "node:fs/promises";
import { pino } from "pino";
import { ConfigError } from "../config/config-error.js";
import { loadConfig } from "../config/load-config.js";
import { sqliteFilePath } from "../db/sqlite-url.js";
import { openServiceDatabase } from "../services/open-service-database.js";
import { databaseInUse } from "./database-in-use.js";

const fail = (message: string) => {
  process.stderr.write(`db:reset: ${message}\n`);
  process.exit(1);
};

let config;
try {
  config = loadConfig({ requireSigningKeys: false, requireMailer: false });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  fail(error.message);
}
if (config!.env !== "development") fail(`deletes every account and post, so it runs only in development (NODE_ENV is ${config!.env})`);
const path = sqliteFilePath(config!.databaseUrl);
if (databaseInUse(path)) {
  fail(`${path} is open in a running claimgate server: stop it (Ctrl-C), run \`npm run db:reset\`, then start it again`);
}
await Promise.all(["", "-wal", "-shm", "-journal"].map((suffix) => rm(`${path}${suffix}`, { force: true })));
const db = await openServiceDatabase({ config: { ...config!, seedDemoUsers: true }, logger: pino({ level: "silent" }), clock: () => new Date() });
await db.$disconnect();
process.stdout.write(`reset ${path}: migrations applied, demo accounts and posts created\n`);

