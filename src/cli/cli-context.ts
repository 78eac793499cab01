import { pino } from "pino";
import type { Config } from "../config/config.js";
import { loadConfig } from "../config/load-config.js";
import { createServices, type ServerServices } from "../server/create-services.js";

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** The same services the server uses, on the configured database; never seeds. */
export async function withServices<T>(run: (services: ServerServices, config: Config) => Promise<T>): Promise<T> {
  const config = { ...loadConfig(), seedDemoUsers: false };
  const services = await createServices({ config, logger: pino({ level: "silent" }), clock: () => new Date() });
  try {
    return await run(services, config);
  } finally {
    await services.close();
  }
}
