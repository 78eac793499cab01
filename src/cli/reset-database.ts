// `npm run db:reset` (development only): deletes the database, applies every migration and
// creates the demo accounts and posts again, as on a first start.
import { pino } from "pino";
import { ConfigError } from "../config/config-error.js";
import { loadConfig } from "../config/load-config.js";
import { eraseDatabase } from "../db/erase-database.js";
import { openServiceDatabase } from "../services/open-service-database.js";

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
const path = await eraseDatabase(config!.databaseUrl).catch((error: Error) => fail(error.message));
const db = await openServiceDatabase({ config: { ...config!, seedDemoUsers: true }, logger: pino({ level: "silent" }), clock: () => new Date() });
await db.$disconnect();
process.stdout.write(`reset ${path}: migrations applied, demo accounts and posts created\n`);
process.exit(0);
