import type { TokenConfig } from "../config/config.js";
import type { ClientInfo } from "./session-types.js";

/** User agents are shown in session lists, not parsed: a bounded prefix is enough. */
export const userAgentOf = (client: ClientInfo): string | null => client.userAgent?.slice(0, 256) ?? null;

/** A refresh token never outlives its session's absolute lifetime (SESSION_MAX_AGE). */
export const refreshExpiry = (tokens: Pick<TokenConfig, "refreshTokenTtlSeconds" | "sessionMaxAgeSeconds">, now: Date, sessionCreatedAt: Date): Date =>
  new Date(Math.min(now.getTime() + tokens.refreshTokenTtlSeconds * 1000, sessionCreatedAt.getTime() + tokens.sessionMaxAgeSeconds * 1000));
