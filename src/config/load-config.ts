import { readFileSync } from "node:fs";
import type { Config } from "./config.js";
import { ConfigError } from "./config-error.js";
import { parseConfig } from "./parse-config.js";

/**
 * The one place that reads process.env. JWT_KEYS_FILE and TRUSTED_ISSUERS_FILE are read here, so
 * container secrets and mounted files work, and handed to the pure parser as JWT_KEYS and TRUSTED_ISSUERS.
 */
export function loadConfig(overrides: Record<string, string | undefined> = {}): Config {
  const env = { ...process.env, ...overrides };
  const keysFile = env["JWT_KEYS_FILE"]?.trim();
  if (keysFile) {
    if (env["JWT_KEYS"]?.trim()) throw new ConfigError(["set either JWT_KEYS or JWT_KEYS_FILE, not both"]);
    try {
      env["JWT_KEYS"] = readFileSync(keysFile, "utf8");
    } catch (error) {
      throw new ConfigError([`JWT_KEYS_FILE ${keysFile} cannot be read: ${(error as NodeJS.ErrnoException).code ?? "error"}`]);
    }
  }
  const issuersFile = env["TRUSTED_ISSUERS_FILE"]?.trim();
  if (issuersFile) {
    if (env["TRUSTED_ISSUERS"]?.trim()) throw new ConfigError(["set either TRUSTED_ISSUERS or TRUSTED_ISSUERS_FILE, not both"]);
    try {
      env["TRUSTED_ISSUERS"] = readFileSync(issuersFile, "utf8");
    } catch (error) {
      throw new ConfigError([`TRUSTED_ISSUERS_FILE ${issuersFile} cannot be read: ${(error as NodeJS.ErrnoException).code ?? "error"}`]);
    }
  }
  return parseConfig(env);
}
