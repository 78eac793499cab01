import type { OriginPattern } from "./cors-origins.js";
import type { KeyRingConfig } from "./key-specs.js";
import type { RemoteKeyPolicy, TrustedIssuer } from "./trusted-issuers.js";

export type Environment = "development" | "production" | "test";

export interface TokenConfig {
  /** `iss` of every issued token, and the only issuer accepted. */
  readonly issuer: string;
  /** `aud` of every issued token, and the only audience accepted. */
  readonly audience: string;
  /** @default 900 (15 minutes) */
  readonly accessTokenTtlSeconds: number;
  /** @default 604800 (7 days) */
  readonly refreshTokenTtlSeconds: number;
  /** Allowed clock skew when checking `exp`, `nbf` and `iat`. @default 5 */
  readonly clockToleranceSeconds: number;
  /** How long a just-rotated refresh token answers REFRESH_TOKEN_ROTATED instead of counting as theft. @default 10 */
  readonly refreshReuseGraceSeconds: number;
  /** An access token whose `iat` is older than this is refused whatever its `exp` says (RFC 8725). @default max(3600, accessTokenTtlSeconds) */
  readonly maxTokenAgeSeconds: number;
  /** A session ends this long after its login, however often it refreshes. @default 2592000 (30 days) */
  readonly sessionMaxAgeSeconds: number;
  /** The signing and verification keys; null in development means "generate an HS256 secret in the data folder". */
  readonly keyRing: KeyRingConfig | null;
}

export interface LoginThrottlePolicy {
  /** Failures for one account before it is locked. @default 5 */
  readonly accountFailures: number;
  /** Failures from one client IP before it is locked. @default 50 */
  readonly ipFailures: number;
  /** Failures for one account from one client IP before that pair is locked. @default 5 */
  readonly pairFailures: number;
  /** Failures older than this are forgotten. @default 900 */
  readonly windowSeconds: number;
  /** The first lock; each further failure doubles it. @default 30 */
  readonly lockSeconds: number;
  /** The longest lock. @default 900 */
  readonly maxLockSeconds: number;
}

/** Registration, password reset and email verification: requests per client IP per window. */
export interface AccountRateLimits {
  /** @default 20 */
  readonly register: number;
  /** @default 10 */
  readonly passwordReset: number;
  /** @default 30 */
  readonly verifyEmail: number;
  /** Account mails (reset links, "already registered" notices) one address receives per window; more are dropped. @default 5 */
  readonly mailsPerAddress: number;
  /** @default 3600 */
  readonly windowSeconds: number;
}

/** Email verification, password reset and the mail that carries their links. */
export interface AccountMailConfig {
  /** New accounts must confirm their address before they can log in. @default true */
  readonly requireEmailVerification: boolean;
  /** Where links in mails point; null means the server's own URL (development). */
  readonly appUrl: string | null;
  /** `smtp://` or `smtps://` URL of the mail server; null means the development outbox. */
  readonly smtpUrl: string | null;
  /** The From header of every mail. */
  readonly from: string;
  /** Where development mails are written, one JSON file each. */
  readonly outboxDir: string;
  /** @default 86400 (24 hours) */
  readonly verificationTtlSeconds: number;
  /** @default 1800 (30 minutes) */
  readonly passwordResetTtlSeconds: number;
}

/** Per-operation limits enforced before execution (GraphQL Armor). */
export interface OperationLimits {
  /** @default 10 */
  readonly maxDepth: number;
  /** @default 15 */
  readonly maxAliases: number;
  /** @default 1000 */
  readonly maxTokens: number;
  /** @default 5000 */
  readonly maxCost: number;
  /** @default 50 */
  readonly maxDirectives: number;
}

/** Node's HTTP server timeouts (see start-server.ts); Node's own defaults are 60 s, 300 s and 5 s. */
export interface HttpTimeouts {
  /** HTTP_HEADERS_TIMEOUT: a client must send all request headers within this. @default 15000 */
  readonly headersMs: number;
  /** HTTP_REQUEST_TIMEOUT: a client must send the whole request (headers and body) within this. @default 30000 */
  readonly requestMs: number;
  /** HTTP_KEEP_ALIVE_TIMEOUT: an idle keep-alive connection is closed after this; keep it above your load balancer's idle timeout. @default 65000 */
  readonly keepAliveMs: number;
}

export interface Config {
  readonly env: Environment;
  readonly host: string;
  readonly port: number;
  /** Folder for the embedded database and the development signing secret. */
  readonly dataDir: string;
  /** SQLite URL (`file:` followed by a path) or PostgreSQL URL (`postgres://` or `postgresql://`). */
  readonly databaseUrl: string;
  readonly httpTimeouts: HttpTimeouts;
  /** DB_BUSY_TIMEOUT: how long a statement waits for a lock another connection holds (PostgreSQL's lock_timeout), then fails with SERVICE_UNAVAILABLE (503). @default 5000 */
  readonly dbBusyTimeoutMs: number;
  /**
   * DB_STATEMENT_TIMEOUT (PostgreSQL only): a statement still running after this is cancelled and
   * the request fails with SERVICE_UNAVAILABLE (503), so a slow query cannot hold a pool connection
   * for ever. 0 turns it off. @default 30000
   */
  readonly dbStatementTimeoutMs: number;
  readonly tokens: TokenConfig;
  readonly loginThrottle: LoginThrottlePolicy;
  /** How long a device token (issued at login) exempts its holder from the account-wide lock. @default 7776000 (90 days) */
  readonly deviceTokenTtlSeconds: number;
  readonly accountRateLimits: AccountRateLimits;
  readonly mail: AccountMailConfig;
  /** In production /metrics answers only `Authorization: Bearer <metricsToken>`; null there means /metrics is off. */
  readonly metricsToken: string | null;
  readonly limits: OperationLimits;
  /** External identity providers whose access tokens are accepted (TRUSTED_ISSUERS or TRUSTED_ISSUERS_FILE). @default [] */
  readonly trustedIssuers: readonly TrustedIssuer[];
  /** Fetching and caching the trusted issuers' keys (JWKS_TIMEOUT, JWKS_COOLDOWN, JWKS_MIN_CACHE, JWKS_MAX_CACHE). */
  readonly remoteKeys: RemoteKeyPolicy;
  /** How often each process reads revoked sessions: the longest a revoked session's access tokens keep working. @default 2 */
  readonly revocationSyncSeconds: number;
  /**
   * On a database that pushes changes (PostgreSQL), how often each process still polls for them,
   * in case a notification was lost: pushed changes arrive within milliseconds.
   */
  readonly revocationFallbackSeconds: number;
  /** Creates the demo accounts on startup (never in production). */
  readonly seedDemoUsers: boolean;
  /** Serves Apollo Sandbox on the landing page. */
  readonly sandbox: boolean;
  readonly introspection: boolean;
  /** Express's `trust proxy`: which X-Forwarded-For hops to believe for the client IP. @default false */
  readonly trustProxy: boolean | number | string;
  /** Realm in `WWW-Authenticate` challenges. */
  readonly realm: string;
  /**
   * Pages allowed to call the API from a browser (CORS_ORIGINS), and the only origins cookie mode
   * answers. @default development: http://localhost:*, http://127.0.0.1:*, https://studio.apollographql.com; production: none
   */
  readonly corsOrigins: readonly OriginPattern[];
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** `auto`: readable lines when stdout is a terminal, JSON lines otherwise. @default "auto" */
  readonly logFormat: "auto" | "pretty" | "json";
  /** Stack traces and internal messages in error responses (never in production). @default false */
  readonly debugErrors: boolean;
}
