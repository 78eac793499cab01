import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/config-error.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { parseDurationSeconds } from "../../src/config/parse-duration.js";
import { weakSecretReason } from "../../src/config/secret-strength.js";

const STRONG = "q8Jr2Lw0vXf3kP9sT6yB1nM4cH7gD5aZeUoIiRlQ";

describe("parseConfig", () => {
  it("runs in development with no configuration at all", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      env: "development",
      host: "127.0.0.1",
      port: 4000,
      databaseUrl: "file:data/claimgate.db",
      seedDemoUsers: true,
      sandbox: true,
      introspection: true,
    });
    expect(config.tokens).toMatchObject({ accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 604800, keyRing: null });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("refuses to start production without a signing secret", () => {
    expect(() => parseConfig({ NODE_ENV: "production" })).toThrow(
      "JWT_KEYS_FILE (create one with `claimgate keys generate --out <file>`), JWT_KEYS or JWT_SECRET (at least 32 random bytes) is required in production",
    );
  });

  it("asks for no keys where the process signs and verifies nothing (the CLI's account commands)", () => {
    expect(parseConfig({ NODE_ENV: "production" }, { requireSigningKeys: false, requireMailer: false }).tokens.keyRing).toBeNull();
  });

  it("DEBUG_ERRORS: off by default, refused in production; LOG_FORMAT: auto, pretty or json", () => {
    expect(parseConfig({})).toMatchObject({ debugErrors: false, logFormat: "auto" });
    expect(parseConfig({ DEBUG_ERRORS: "1", LOG_FORMAT: "JSON" })).toMatchObject({ debugErrors: true, logFormat: "json" });
    expect(() => parseConfig({ NODE_ENV: "production", JWT_SECRET: STRONG, DEBUG_ERRORS: "true" })).toThrow(
      "DEBUG_ERRORS cannot be enabled in production: stack traces would reach clients",
    );
    expect(() => parseConfig({ LOG_FORMAT: "xml" })).toThrow('LOG_FORMAT must be one of auto, pretty, json (got "xml")');
  });

  it("refuses weak secrets", () => {
    expect(() => parseConfig({ NODE_ENV: "production", JWT_SECRET: "short" })).toThrow(/JWT_SECRET is too weak: it is 5 bytes long/);
    expect(() => parseConfig({ JWT_SECRET: "a".repeat(64) })).toThrow(/too little variety/);
    expect(() => parseConfig({ JWT_SECRET: "secret".repeat(8) })).toThrow(/placeholder word/);
  });

  it("production: no demo users, no Sandbox, no introspection unless asked", () => {
    const MAIL = { SMTP_URL: "smtp://mail.internal:25", APP_URL: "https://app.example.com" };
    const config = parseConfig({ NODE_ENV: "production", JWT_SECRET: STRONG, ...MAIL });
    expect(config).toMatchObject({ seedDemoUsers: false, sandbox: false, introspection: false, host: "0.0.0.0", metricsToken: null });
    expect(parseConfig({ NODE_ENV: "production", JWT_SECRET: STRONG, SANDBOX: "true", ...MAIL }).introspection).toBe(true);
    expect(() => parseConfig({ NODE_ENV: "production", JWT_SECRET: STRONG, SEED_DEMO_USERS: "true", ...MAIL })).toThrow(
      /SEED_DEMO_USERS cannot be enabled in production/,
    );
  });

  it("production refuses required email verification without a mailer, and a mailer without APP_URL", () => {
    expect(() => parseConfig({ NODE_ENV: "production", JWT_SECRET: STRONG })).toThrow(/SMTP_URL is required in production while REQUIRE_EMAIL_VERIFICATION is on/);
    expect(() => parseConfig({ NODE_ENV: "production", JWT_SECRET: STRONG, SMTP_URL: "smtp://mail:25" })).toThrow(/APP_URL is required in production/);
    expect(parseConfig({ NODE_ENV: "production", JWT_SECRET: STRONG, REQUIRE_EMAIL_VERIFICATION: "false" }).mail.requireEmailVerification).toBe(false);
    expect(() => parseConfig({ SMTP_URL: "mail.internal" })).toThrow(/SMTP_URL must start with smtp:\/\/ or smtps:\/\//);
  });

  it("lifetimes: MAX_TOKEN_AGE defaults to an hour (or the access token TTL) and may not be shorter than it; SESSION_MAX_AGE is 30 days", () => {
    expect(parseConfig({}).tokens).toMatchObject({ maxTokenAgeSeconds: 3600, sessionMaxAgeSeconds: 30 * 86400 });
    expect(parseConfig({ ACCESS_TOKEN_TTL: "2h" }).tokens.maxTokenAgeSeconds).toBe(7200);
    expect(() => parseConfig({ ACCESS_TOKEN_TTL: "2h", MAX_TOKEN_AGE: "1h" })).toThrow(/MAX_TOKEN_AGE must be at least ACCESS_TOKEN_TTL/);
  });

  it("reads lifetimes, issuer, audience, port and database", () => {
    const config = parseConfig({
      ACCESS_TOKEN_TTL: "5m",
      REFRESH_TOKEN_TTL: "30d",
      JWT_ISSUER: "https://auth.example.com",
      JWT_AUDIENCE: "https://api.example.com",
      PORT: "8080",
      DATABASE_URL: "file:/var/lib/claimgate/db.sqlite",
    });
    expect(config.tokens).toMatchObject({
      accessTokenTtlSeconds: 300,
      refreshTokenTtlSeconds: 2592000,
      issuer: "https://auth.example.com",
      audience: "https://api.example.com",
    });
    expect(config).toMatchObject({ port: 8080, databaseUrl: "file:/var/lib/claimgate/db.sqlite" });
  });

  it("reads DB_STATEMENT_TIMEOUT in seconds or milliseconds, 30 s by default, 0 for none", () => {
    expect(parseConfig({}).dbStatementTimeoutMs).toBe(30_000);
    expect(parseConfig({ DB_STATEMENT_TIMEOUT: "2m" }).dbStatementTimeoutMs).toBe(120_000);
    expect(parseConfig({ DB_STATEMENT_TIMEOUT: "0ms" }).dbStatementTimeoutMs).toBe(0);
    expect(() => parseConfig({ DB_STATEMENT_TIMEOUT: "later" })).toThrow(/DB_STATEMENT_TIMEOUT must be a duration/);
  });

  it("reads DB_BUSY_TIMEOUT in seconds or milliseconds, 5 s by default", () => {
    expect(parseConfig({}).dbBusyTimeoutMs).toBe(5000);
    expect(parseConfig({ DB_BUSY_TIMEOUT: "2s" }).dbBusyTimeoutMs).toBe(2000);
    expect(parseConfig({ DB_BUSY_TIMEOUT: "750ms" }).dbBusyTimeoutMs).toBe(750);
    expect(() => parseConfig({ DB_BUSY_TIMEOUT: "soon" })).toThrow(/DB_BUSY_TIMEOUT must be a duration/);
    expect(() => parseConfig({ DB_BUSY_TIMEOUT: "1h" })).toThrow(/at most 10m/);
  });

  it("sets HTTP timeouts below Node's defaults, headers no longer than the whole request", () => {
    expect(parseConfig({}).httpTimeouts).toEqual({ headersMs: 15_000, requestMs: 30_000, keepAliveMs: 65_000 });
    expect(parseConfig({ HTTP_HEADERS_TIMEOUT: "5s", HTTP_REQUEST_TIMEOUT: "1m", HTTP_KEEP_ALIVE_TIMEOUT: "2m" }).httpTimeouts).toEqual({
      headersMs: 5000,
      requestMs: 60_000,
      keepAliveMs: 120_000,
    });
    expect(() => parseConfig({ HTTP_HEADERS_TIMEOUT: "40s" })).toThrow(/HTTP_HEADERS_TIMEOUT cannot be longer than HTTP_REQUEST_TIMEOUT/);
  });

  it("takes SQLite (file:) and PostgreSQL (postgres://, postgresql://) URLs, and a PostgreSQL URL must name its database", () => {
    expect(parseConfig({ DATABASE_URL: "postgresql://app:secret@db.internal:5432/claimgate" }).databaseUrl).toBe("postgresql://app:secret@db.internal:5432/claimgate");
    expect(parseConfig({ DATABASE_URL: "postgres://app@127.0.0.1/claimgate?sslmode=require" }).databaseUrl).toMatch(/^postgres:/);
    expect(() => parseConfig({ DATABASE_URL: "postgresql://app@db.internal:5432" })).toThrow(/DATABASE_URL must name the PostgreSQL database/);
  });

  it("lists every problem in one error", () => {
    try {
      parseConfig({ NODE_ENV: "staging", PORT: "http", ACCESS_TOKEN_TTL: "soon", SANDBOX: "maybe", DATABASE_URL: "mysql://x/claimgate" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const { problems } = error as ConfigError;
      expect(problems).toEqual([
        'NODE_ENV must be development, production or test (got "staging")',
        "DATABASE_URL must be a SQLite URL such as file:./data/claimgate.db or a PostgreSQL URL such as postgresql://user:password@host:5432/claimgate (got a URL with another scheme)",
        'ACCESS_TOKEN_TTL must be a duration such as 90s, 15m, 12h or 7d, at least 1s (got "soon")',
        'SANDBOX must be true or false (got "maybe")',
        'PORT must be a whole number from 0 to 65535 (got "http")',
      ]);
    }
  });

  it("requires refresh tokens to outlive access tokens", () => {
    expect(() => parseConfig({ ACCESS_TOKEN_TTL: "1d", REFRESH_TOKEN_TTL: "1h" })).toThrow(/REFRESH_TOKEN_TTL must be longer/);
  });
});

describe("parseDurationSeconds", () => {
  it.each([
    ["90", 90],
    ["90s", 90],
    ["15m", 900],
    ["12h", 43200],
    ["7d", 604800],
    [" 3m ", 180],
  ])("%j is %i seconds", (text, seconds) => expect(parseDurationSeconds(text)).toBe(seconds));

  it.each(["", "m", "1.5m", "-1", "10w", "1e3"])("refuses %j", (text) => expect(parseDurationSeconds(text)).toBeNull());
});

describe("weakSecretReason", () => {
  it("accepts a random secret", () => expect(weakSecretReason(STRONG)).toBeNull());
  it("refuses a 31-byte secret", () => expect(weakSecretReason(STRONG.slice(0, 31))).toMatch(/31 bytes/));
  it("refuses the jwt.io placeholder", () => expect(weakSecretReason("your-256-bit-secret-your-256-bit-secret")).not.toBeNull());
});
