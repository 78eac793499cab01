import { parseArgs } from "node:util";
import { randomUUID } from "node:crypto";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { signAccessToken, verifyAccessToken } from "../../auth/access-token.js";
import { loadConfiguredKeyRing } from "../../auth/configured-key-ring.js";
import { TokenVerificationError } from "../../auth/token-verification-error.js";
import { parseDurationSeconds } from "../../config/parse-duration.js";
import { CliError, usageError } from "../cli-error.js";
import { type CliContext, commandConfig, currentTime, withUsageErrors } from "../cli-context.js";
import { claimsFromAssignments, parseClaimAssignment } from "./claim-arguments.js";

export const TOKEN_HELP = `Usage: claimgate token <command>

Commands:
  decode <jwt>     Show a token's header and claims, its times in human form, and whether it
                   verifies against the configured keys (and why not). Exit 0 when it verifies,
                   1 when it does not.
  mint             Sign an access token (development only).
    --sub <id>             subject (required)
    --claim name=value     a string claim (--claim role=admin)
    --claim name+=value    an item of a list claim; repeat for more (--claim permissions+=posts:read)
    --ttl <duration>       lifetime, e.g. 90s, 15m (default: ACCESS_TOKEN_TTL)

Keys, issuer and audience come from the same environment variables as the server.
`;

function describeTime(seconds: unknown, now: Date): string {
  if (typeof seconds !== "number") return "(absent)";
  const delta = Math.round(seconds - now.getTime() / 1000);
  const span = Math.abs(delta) >= 3600 ? `${(Math.abs(delta) / 3600).toFixed(1)} h` : Math.abs(delta) >= 60 ? `${Math.round(Math.abs(delta) / 60)} min` : `${Math.abs(delta)} s`;
  return `${new Date(seconds * 1000).toISOString()} (${delta >= 0 ? `in ${span}` : `${span} ago`})`;
}

export async function runTokenCommand(args: string[], context: CliContext): Promise<void> {
  const [command, ...rest] = args;
  const { io } = context;
  const { values, positionals } = withUsageErrors(TOKEN_HELP, () =>
    parseArgs({
      args: rest,
      options: { sub: { type: "string" }, ttl: { type: "string" }, claim: { type: "string", multiple: true }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (!command || command === "--help" || command === "-h" || values.help) return io.out(TOKEN_HELP);

  if (command === "decode") {
    const token = positionals[0];
    if (!token || positionals.length > 1 || Object.keys(values).length > 0) throw usageError("token decode takes exactly one token\n\n" + TOKEN_HELP);
    let header: unknown;
    let payload: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(token);
      payload = decodeJwt(token);
    } catch {
      throw new CliError("not a JWT: expected three base64url segments with a JSON header and payload");
    }
    const now = currentTime(context);
    io.out(`Header:\n${JSON.stringify(header, null, 2)}\n\nPayload:\n${JSON.stringify(payload, null, 2)}\n\n`);
    io.out(`Issued:     ${describeTime(payload["iat"], now)}\nExpires:    ${describeTime(payload["exp"], now)}\n`);
    if (payload["nbf"] !== undefined) io.out(`Not before: ${describeTime(payload["nbf"], now)}\n`);
    const config = commandConfig(context, { signsOrVerifiesTokens: true });
    try {
      await verifyAccessToken(token, { keys: await loadConfiguredKeyRing(config), tokens: config.tokens, now });
      io.out("\nVerifies: yes, against the configured keys\n");
    } catch (error) {
      if (!(error instanceof TokenVerificationError)) throw error;
      io.out(`\nVerifies: no (${error.reason}): ${error.message}\n`);
      throw new CliError("the token does not verify", 1);
    }
    return;
  }

  if (command === "mint") {
    if (positionals.length > 0) throw usageError(`token mint takes no argument "${positionals[0]}"\n\n${TOKEN_HELP}`);
    const claims = claimsFromAssignments((values.claim ?? []).map(parseClaimAssignment));
    const config = commandConfig(context, { signsOrVerifiesTokens: true });
    if (config.env !== "development") throw new CliError(`token mint is refused outside development (NODE_ENV=${config.env})`);
    const subject = values.sub;
    if (!subject) throw usageError("token mint needs --sub <id>\n\n" + TOKEN_HELP);
    const ttl = values.ttl;
    const ttlSeconds = ttl === undefined ? config.tokens.accessTokenTtlSeconds : parseDurationSeconds(ttl);
    if (ttlSeconds === null || ttlSeconds < 1) throw usageError(`--ttl must be a duration such as 90s or 15m (got "${ttl}")`);
    const { token } = await signAccessToken({
      keys: await loadConfiguredKeyRing(config),
      tokens: { ...config.tokens, accessTokenTtlSeconds: ttlSeconds },
      subject,
      sessionId: `cli-${randomUUID()}`,
      claims,
      now: currentTime(context),
    });
    io.out(`${token}\n`);
    return;
  }

  throw usageError(`unknown token command "${command}"\n\n${TOKEN_HELP}`);
}
