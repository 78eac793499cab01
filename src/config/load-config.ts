import type { Config } from "./config.js";
import { parseConfig } from "./parse-config.js";

/** The one place that reads process.env. */
export function loadConfig(overrides: Record<string, string | undefined> = {}): Config {
  return parseConfig({ ...process.env, ...overrides });
}
