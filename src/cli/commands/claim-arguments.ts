import { usageError } from "../cli-error.js";

export interface ParsedClaimArguments {
  /** --name value options, for the names the command accepts. */
  readonly values: Record<string, string>;
  /** Every --claim name=value; a repeated name becomes an array. */
  readonly claims: Record<string, string | string[]>;
  readonly positional: string[];
}

/** Parses `--opt value` and repeatable `--claim name=value` arguments. */
export function parseClaimArguments(args: readonly string[], options: readonly string[]): ParsedClaimArguments {
  const values: Record<string, string> = {};
  const claims: Record<string, string | string[]> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const value = inline ?? args[++i];
    if (value === undefined) throw usageError(`--${name} needs a value`);
    if (name === "claim") {
      const equals = value.indexOf("=");
      if (equals <= 0) throw usageError(`--claim takes name=value (got "${value}")`);
      const claim = value.slice(0, equals);
      const claimValue = value.slice(equals + 1);
      const existing = claims[claim];
      claims[claim] = existing === undefined ? claimValue : [...(Array.isArray(existing) ? existing : [existing]), claimValue];
    } else if (options.includes(name)) {
      values[name] = value;
    } else {
      throw usageError(`unknown option --${name}`);
    }
  }
  return { values, claims, positional };
}
