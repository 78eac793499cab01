/** Thrown at startup when the environment does not describe a runnable server. */
export class ConfigError extends Error {
  readonly code = "ERR_CONFIG";
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}
