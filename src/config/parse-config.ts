import { databaseKindOf } from "./database-kind.js";
import { join } from "node:path";
import type { Config, Environment } from "./config.js";
import { ConfigError } from "./config-error.js";
import { parseDurationSeconds } from "./parse-duration.js";
import { type KeyRingConfig, parseKeySpecs } from "./key-specs.js";
import { weakSecretReason } from "./secret-strength.js";
import { parseTrustedIssuers } from "./trusted-issuers.js";
import { DEVELOPMENT_CORS_ORIGINS, parseCorsOrigins } from "./cors-origins.js";

export type EnvironmentVariables = Readonly<Record<string, string | undefined>>;

export interface ParseConfigOptions {
  /**
   * Whether this process signs tokens. The server does; CLI commands that only touch accounts
   * (such as creating the first administrator) do not, so production does not ask them for keys.
   * @default true
   */
  readonly requireSigningKeys?: boolean;
  /**
   * Production needs SMTP_URL (and APP_URL) to send account mails; only a server sends them, so
   * command-line tools pass false. @default true
   */
  readonly requireMailer?: boolean;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const LOG_FORMATS = ["auto", "pretty", "json"] as const;
const ENVIRONMENTS: readonly Environment[] = ["development", "production", "test"];

/**
 * Turns environment variables into a validated, frozen Config.
 * Every problem is collected, so one failed start lists all of them.
 */
export function parseConfig(env: EnvironmentVariables, options: ParseConfigOptions = {}): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === "" ? undefined : value;
  };

  const nodeEnv = read("NODE_ENV") ?? "development";
  const known = (ENVIRONMENTS as readonly string[]).includes(nodeEnv);
  if (!known) problems.push(`NODE_ENV must be development, production or test (got "${nodeEnv}")`);
  const environment = (known ? nodeEnv : "development") as Environment;
  const production = environment === "production";

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const text = read(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${text}")`);
      return fallback;
    }
    return value;
  };
  const duration = (name: string, fallback: number, min = 1): number => {
    const text = read(name);
    if (text === undefined) return fallback;
    const seconds = parseDurationSeconds(text);
    if (seconds === null || seconds < min) {
      problems.push(`${name} must be a duration such as 90s, 15m, 12h or 7d, at least ${min}s (got "${text}")`);
      return fallback;
    }
    return seconds;
  };
  /** A wait in milliseconds, written as `2500ms` or a duration such as `5s`; at most 10 minutes. */
  const millisecondsSetting = (name: string, fallback: number): number => {
    const text = read(name);
    if (text === undefined) return fallback;
    const millis = /^\s*(\d+)\s*ms\s*$/.exec(text);
    const seconds = millis ? null : parseDurationSeconds(text);
    const value = millis ? Number(millis[1]) : seconds === null ? Number.NaN : seconds * 1000;
    if (!Number.isSafeInteger(value) || value > 600_000) {
      problems.push(`${name} must be a duration such as 5s or 2500ms, at most 10m (got "${text}")`);
      return fallback;
    }
    return value;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const text = read(name)?.toLowerCase();
    if (text === undefined) return fallback;
    if (["1", "true", "yes", "on"].includes(text)) return true;
    if (["0", "false", "no", "off"].includes(text)) return false;
    problems.push(`${name} must be true or false (got "${text}")`);
    return fallback;
  };

  const dataDir = read("DATA_DIR") ?? "data";
  const databaseUrl = read("DATABASE_URL") ?? `file:${join(dataDir, "claimgate.db")}`;
  const databaseKind = databaseKindOf(databaseUrl);
  if (databaseKind === null) {
    problems.push(
      `DATABASE_URL must be a SQLite URL such as file:./data/claimgate.db or a PostgreSQL URL such as postgresql://user:password@host:5432/claimgate (got a URL with another scheme)`,
    );
  } else if (databaseKind === "postgres") {
    try {
      const url = new URL(databaseUrl);
      if (url.pathname.length <= 1) problems.push("DATABASE_URL must name the PostgreSQL database, as in postgresql://user:password@host:5432/claimgate");
    } catch {
      problems.push("DATABASE_URL is not a valid PostgreSQL URL (expected postgresql://user:password@host:5432/claimgate; percent-encode special characters in the password)");
    }
  }

  const dbBusyTimeoutMs = millisecondsSetting("DB_BUSY_TIMEOUT", 5000);
  // PostgreSQL only: a statement still running after this is cancelled (0 turns it off).
  const dbStatementTimeoutMs = millisecondsSetting("DB_STATEMENT_TIMEOUT", 30_000);

  const httpHeadersSeconds = duration("HTTP_HEADERS_TIMEOUT", 15);
  const httpRequestSeconds = duration("HTTP_REQUEST_TIMEOUT", 30);
  if (httpHeadersSeconds > httpRequestSeconds) problems.push("HTTP_HEADERS_TIMEOUT cannot be longer than HTTP_REQUEST_TIMEOUT");

  const keyRing = parseKeyRing(read, problems);
  if (keyRing === null && production && options.requireSigningKeys !== false) {
    problems.push(
      "JWT_KEYS_FILE (create one with `claimgate keys generate --out <file>`), JWT_KEYS or JWT_SECRET (at least 32 random bytes) is required in production",
    );
  }

  const accessTokenTtlSeconds = duration("ACCESS_TOKEN_TTL", 15 * 60);
  const refreshTokenTtlSeconds = duration("REFRESH_TOKEN_TTL", 7 * 86400);
  if (refreshTokenTtlSeconds <= accessTokenTtlSeconds) {
    problems.push("REFRESH_TOKEN_TTL must be longer than ACCESS_TOKEN_TTL");
  }

  const maxTokenAgeSeconds = duration("MAX_TOKEN_AGE", Math.max(3600, accessTokenTtlSeconds));
  if (maxTokenAgeSeconds < accessTokenTtlSeconds) problems.push("MAX_TOKEN_AGE must be at least ACCESS_TOKEN_TTL");
  const sessionMaxAgeSeconds = duration("SESSION_MAX_AGE", 30 * 86400);
  if (sessionMaxAgeSeconds < accessTokenTtlSeconds) problems.push("SESSION_MAX_AGE must be at least ACCESS_TOKEN_TTL");

  const requireEmailVerification = flag("REQUIRE_EMAIL_VERIFICATION", true);
  const smtpUrl = read("SMTP_URL") ?? null;
  if (smtpUrl !== null && !/^smtps?:\/\//.test(smtpUrl)) problems.push("SMTP_URL must start with smtp:// or smtps://");
  const requireMailer = options.requireMailer !== false;
  if (production && requireMailer && requireEmailVerification && smtpUrl === null) {
    problems.push(
      "SMTP_URL is required in production while REQUIRE_EMAIL_VERIFICATION is on (verification mails must reach people); set SMTP_URL, or REQUIRE_EMAIL_VERIFICATION=false",
    );
  }
  const appUrl = read("APP_URL") ?? null;
  if (appUrl !== null && !/^https?:\/\/[^/]/.test(appUrl)) problems.push(`APP_URL must be an http(s) URL (got "${appUrl}")`);
  if (production && requireMailer && appUrl === null && smtpUrl !== null) {
    problems.push("APP_URL is required in production with SMTP_URL: links in mails must point at your app");
  }

  const metricsToken = read("METRICS_TOKEN") ?? null;
  if (metricsToken !== null && metricsToken.length < 16) problems.push("METRICS_TOKEN must be at least 16 characters");

  const seedDemoUsers = flag("SEED_DEMO_USERS", environment === "development");
  if (seedDemoUsers && production) problems.push("SEED_DEMO_USERS cannot be enabled in production");

  const sandbox = flag("SANDBOX", !production);
  const logLevel = read("LOG_LEVEL") ?? (environment === "test" ? "silent" : "info");
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} (got "${logLevel}")`);
  }

  const logFormat = read("LOG_FORMAT")?.toLowerCase() ?? "auto";
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) {
    problems.push(`LOG_FORMAT must be one of ${LOG_FORMATS.join(", ")} (got "${logFormat}")`);
  }
  const debugErrors = flag("DEBUG_ERRORS", false);
  if (debugErrors && production) problems.push("DEBUG_ERRORS cannot be enabled in production: stack traces would reach clients");
  const issuer = read("JWT_ISSUER") ?? "urn:claimgate:issuer";
  const trustedIssuersJson = read("TRUSTED_ISSUERS");
  const trustedIssuers = trustedIssuersJson === undefined ? [] : parseTrustedIssuers(trustedIssuersJson, "TRUSTED_ISSUERS", problems);
  if (trustedIssuers.some((trusted) => trusted.issuer === issuer)) {
    problems.push(`TRUSTED_ISSUERS lists "${issuer}", which is JWT_ISSUER: claimgate's own tokens are always accepted with its own keys`);
  }
  const jwksMinCache = duration("JWKS_MIN_CACHE", 60);
  const jwksMaxCache = duration("JWKS_MAX_CACHE", 3600);
  if (jwksMaxCache < jwksMinCache) problems.push("JWKS_MAX_CACHE must be at least JWKS_MIN_CACHE");

  // Development trusts pages served from this machine and Apollo's hosted Sandbox; production trusts no page until told.
  const corsOrigins = parseCorsOrigins(read("CORS_ORIGINS") ?? (production ? "" : DEVELOPMENT_CORS_ORIGINS.join(",")), problems);

  const config: Config = {
    env: environment,
    host: read("HOST") ?? (production ? "0.0.0.0" : "127.0.0.1"),
    port: integer("PORT", 4000, 0, 65535),
    dataDir,
    databaseUrl,
    dbBusyTimeoutMs,
    dbStatementTimeoutMs,
    httpTimeouts: Object.freeze({
      headersMs: httpHeadersSeconds * 1000,
      requestMs: httpRequestSeconds * 1000,
      keepAliveMs: duration("HTTP_KEEP_ALIVE_TIMEOUT", 65) * 1000,
    }),
    tokens: Object.freeze({
      issuer,
      audience: read("JWT_AUDIENCE") ?? "urn:claimgate:api",
      accessTokenTtlSeconds,
      refreshTokenTtlSeconds,
      clockToleranceSeconds: duration("CLOCK_TOLERANCE", 5, 0),
      refreshReuseGraceSeconds: duration("REFRESH_REUSE_GRACE", 10, 0),
      maxTokenAgeSeconds,
      sessionMaxAgeSeconds,
      keyRing,
    }),
    loginThrottle: Object.freeze({
      accountFailures: integer("LOGIN_ACCOUNT_FAILURES", 5, 1, 1000),
      ipFailures: integer("LOGIN_IP_FAILURES", 50, 1, 100_000),
      pairFailures: integer("LOGIN_PAIR_FAILURES", 5, 1, 1000),
      windowSeconds: duration("LOGIN_FAILURE_WINDOW", 15 * 60),
      lockSeconds: duration("LOGIN_LOCK", 30),
      maxLockSeconds: duration("LOGIN_MAX_LOCK", 15 * 60),
    }),
    deviceTokenTtlSeconds: duration("DEVICE_TOKEN_TTL", 90 * 86400),
    accountRateLimits: Object.freeze({
      register: integer("REGISTER_IP_LIMIT", 20, 1, 1_000_000),
      passwordReset: integer("PASSWORD_RESET_IP_LIMIT", 10, 1, 1_000_000),
      verifyEmail: integer("VERIFY_EMAIL_IP_LIMIT", 30, 1, 1_000_000),
      mailsPerAddress: integer("MAILS_PER_ADDRESS", 5, 1, 1000),
      windowSeconds: duration("ACCOUNT_RATE_WINDOW", 3600),
    }),
    mail: Object.freeze({
      requireEmailVerification,
      appUrl: appUrl?.replace(/\/+$/, "") ?? null,
      smtpUrl,
      from: read("MAIL_FROM") ?? "claimgate <no-reply@localhost>",
      outboxDir: join(dataDir, "outbox"),
      verificationTtlSeconds: duration("EMAIL_VERIFICATION_TTL", 86400),
      passwordResetTtlSeconds: duration("PASSWORD_RESET_TTL", 30 * 60),
    }),
    metricsToken,
    limits: Object.freeze({
      maxDepth: integer("GRAPHQL_MAX_DEPTH", 10, 1, 100),
      maxAliases: integer("GRAPHQL_MAX_ALIASES", 15, 0, 1000),
      maxTokens: integer("GRAPHQL_MAX_TOKENS", 1000, 10, 100_000),
      maxCost: integer("GRAPHQL_MAX_COST", 5000, 1, 10_000_000),
      maxDirectives: integer("GRAPHQL_MAX_DIRECTIVES", 50, 0, 1000),
    }),
    trustedIssuers: Object.freeze(trustedIssuers),
    remoteKeys: Object.freeze({
      timeoutSeconds: duration("JWKS_TIMEOUT", 3),
      cooldownSeconds: duration("JWKS_COOLDOWN", 30),
      minCacheSeconds: jwksMinCache,
      maxCacheSeconds: jwksMaxCache,
    }),
    revocationSyncSeconds: duration("REVOCATION_SYNC_INTERVAL", 2),
    revocationFallbackSeconds: duration("REVOCATION_FALLBACK_INTERVAL", 30),
    seedDemoUsers,
    sandbox,
    introspection: flag("INTROSPECTION", sandbox),
    trustProxy: parseTrustProxy(read("TRUST_PROXY")),
    realm: read("AUTH_REALM") ?? "claimgate",
    corsOrigins: Object.freeze(corsOrigins),
    logLevel: logLevel as Config["logLevel"],
    logFormat: logFormat as Config["logFormat"],
    debugErrors,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** JWT_SECRET is shorthand for a ring of one HS256 key; JWT_KEYS (or JWT_KEYS_FILE) lists a full ring. */
function parseKeyRing(read: (name: string) => string | undefined, problems: string[]): KeyRingConfig | null {
  const secret = read("JWT_SECRET");
  const keysJson = read("JWT_KEYS");
  const activeKid = read("JWT_ACTIVE_KID") ?? null;
  if (secret !== undefined && keysJson !== undefined) {
    problems.push("set either JWT_SECRET or JWT_KEYS (JWT_KEYS_FILE), not both");
    return null;
  }
  if (secret !== undefined) {
    const weakness = weakSecretReason(secret);
    if (weakness) problems.push(`JWT_SECRET is too weak: ${weakness}`);
    return { keys: [{ kid: null, alg: "HS256", privateKey: { inline: secret }, publicKey: null }], activeKid: null };
  }
  if (keysJson === undefined) return null;
  const keys = parseKeySpecs(keysJson, "JWT_KEYS", problems);
  const signers = keys.filter((key) => key.privateKey !== null);
  if (keys.length > 0 && signers.length === 0) problems.push("JWT_KEYS has no key with private material to sign with");
  if (activeKid !== null && !signers.some((key) => key.kid === activeKid)) {
    problems.push(`JWT_ACTIVE_KID is "${activeKid}", but no key in JWT_KEYS with private material has that kid`);
  }
  return { keys, activeKid };
}

/** "true", "false", a hop count, or Express's list of trusted addresses ("loopback, 10.0.0.0/8"). */
function parseTrustProxy(text: string | undefined): boolean | number | string {
  if (text === undefined || text.toLowerCase() === "false") return false;
  if (text.toLowerCase() === "true") return true;
  return /^\d+$/.test(text) ? Number(text) : text;
}
