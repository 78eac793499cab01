import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import type { Config } from "./config.js";
import { ConfigError } from "./config-error.js";
import { type EnvironmentVariables, parseConfig, type ParseConfigOptions } from "./parse-config.js";

export interface LoadConfigOptions extends ParseConfigOptions {
  /** The variables to read. @default readEnvironment() */
  readonly env?: EnvironmentVariables;
}

/**
 * The one place that reads process.env (and `.env`). JWT_KEYS_FILE and TRUSTED_ISSUERS_FILE are read here, so
 * container secrets and mounted files work, and handed to the pure parser as JWT_KEYS and TRUSTED_ISSUERS.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env: Record<string, string | undefined> = { ...(options.env ?? readEnvironment()) };
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
  return parseConfig(env, options);
}

/**
 * process.env over the variables of `.env` in the working directory, if there is one: a variable
 * set in the real environment wins, as with dotenv and Node's --env-file. The file uses Node's
 * dotenv syntax (`NAME=value`, `# comments`, quoted values).
 */
export function readEnvironment(directory: string = process.cwd()): EnvironmentVariables {
  const path = join(directory, ".env");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { ...process.env };
    throw new ConfigError([`${path} cannot be read (${code ?? "error"}); fix its permissions or remove it`]);
  }
  return { ...parseEnv(text), ...process.env };
}
