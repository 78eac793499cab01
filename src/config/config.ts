import type { KeyRingConfig } from "./key-specs.js";

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
  /** The signing and verification keys; null in development means "generate an HS256 secret in the data folder". */
  readonly keyRing: KeyRingConfig | null;
}

export interface LoginThrottlePolicy {
  /** Failures for one account before it is locked. @default 5 */
  readonly accountFailures: number;
  /** Failures from one client IP before it is locked. @default 50 */
  readonly ipFailures: number;
  /** Failures older than this are forgotten. @default 900 */
  readonly windowSeconds: number;
  /** The first lock; each further failure doubles it. @default 30 */
  readonly lockSeconds: number;
  /** The longest lock. @default 900 */
  readonly maxLockSeconds: number;
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

export interface Config {
  readonly env: Environment;
  readonly host: string;
  readonly port: number;
  /** Folder for the embedded database and the development signing secret. */
  readonly dataDir: string;
  /** SQLite URL, `file:` followed by a path. */
  readonly databaseUrl: string;
  readonly tokens: TokenConfig;
  readonly loginThrottle: LoginThrottlePolicy;
  readonly limits: OperationLimits;
  /** How often each process reads revoked sessions: the longest a revoked session's access tokens keep working. @default 2 */
  readonly revocationSyncSeconds: number;
  /** Creates the demo accounts on startup (never in production). */
  readonly seedDemoUsers: boolean;
  /** Serves Apollo Sandbox on the landing page. */
  readonly sandbox: boolean;
  readonly introspection: boolean;
  /** Express's `trust proxy`: which X-Forwarded-For hops to believe for the client IP. @default false */
  readonly trustProxy: boolean | number | string;
  /** Realm in `WWW-Authenticate` challenges. */
  readonly realm: string;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** `auto`: readable lines when stdout is a terminal, JSON lines otherwise. @default "auto" */
  readonly logFormat: "auto" | "pretty" | "json";
  /** Stack traces and internal messages in error responses (never in production). @default false */
  readonly debugErrors: boolean;
}
