import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { exportJWK, generateKeyPair } from "jose";
import { ALGORITHM_KEYS, isKeyAlgorithm, KEY_ALGORITHMS, type KeyAlgorithm } from "../../config/algorithm-keys.js";
import { parseKeySpecs } from "../../config/key-specs.js";
import { CliError, usageError } from "../cli-error.js";
import { type CliContext, withUsageErrors } from "../cli-context.js";

export const KEYS_HELP = `Usage: claimgate keys generate --out <file> [--alg ES256] [--kid <id>]

Writes a new key ring (one signing key, as JWT_KEYS JSON) to <file>, readable by its owner only
(mode 0600), and refuses to overwrite an existing file. Point the server at it with
JWT_KEYS_FILE=<file>: tokens then survive restarts and every process signs with the same key.

  --alg   ${KEY_ALGORITHMS.join(", ")} (default ES256: its public key is published at /.well-known/jwks.json)
  --kid   the key id carried in tokens (default: today's date and a random suffix)
`;

export async function runKeysCommand(args: string[], context: CliContext): Promise<void> {
  const [command, ...rest] = args;
  const { values, positionals } = withUsageErrors(KEYS_HELP, () =>
    parseArgs({
      args: rest,
      options: { out: { type: "string" }, alg: { type: "string" }, kid: { type: "string" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (!command || command === "--help" || command === "-h" || values.help) return context.io.out(KEYS_HELP);
  if (command !== "generate") throw usageError(`unknown keys command "${command}"\n\n${KEYS_HELP}`);
  if (positionals.length > 0) throw usageError(`keys generate takes no argument "${positionals[0]}"\n\n${KEYS_HELP}`);
  if (!values.out) throw usageError(`keys generate needs --out <file>\n\n${KEYS_HELP}`);
  const alg = values.alg ?? "ES256";
  if (!isKeyAlgorithm(alg)) throw usageError(`--alg must be one of ${KEY_ALGORITHMS.join(", ")} (got "${values.alg}")`);
  const kid = values.kid ?? `${new Date().toISOString().slice(0, 10)}-${randomBytes(2).toString("hex")}`;

  const entry = { kid, alg, ...(await generateMaterial(alg)) };
  const text = `${JSON.stringify([entry], null, 2)}\n`;
  // The ring is checked as the server will read it, so a bad --kid fails here, not at startup.
  const problems: string[] = [];
  parseKeySpecs(text, "the generated key ring", problems);
  if (problems.length > 0) throw usageError(problems.join("\n"));

  const path = resolve(values.out);
  try {
    await writeFile(path, text, { mode: 0o600, flag: "wx" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new CliError(`${path} already exists; keys generate never overwrites a key ring (choose another --out)`);
    throw new CliError(`cannot write ${path} (${code ?? "error"})`);
  }
  context.io.out(`wrote the ${alg} key "${kid}" to ${path} (mode 0600)\nstart the server with JWT_KEYS_FILE=${path}\n`);
}

async function generateMaterial(alg: KeyAlgorithm): Promise<Record<string, unknown>> {
  const keyType = ALGORITHM_KEYS[alg];
  if (keyType.kty === "oct") return { secret: randomBytes(48).toString("base64url") };
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(keyType.kty === "OKP" ? { crv: keyType.crv } : {}) });
  return { privateKey: await exportJWK(privateKey) };
}
