import { hash } from "node:crypto";
import { poolRandomBytes } from "./random-pool.js";

/**
 * Refresh tokens are opaque: a type prefix and 256 random bits. The prefix keeps them
 * from ever being mistaken for an access token (which is a JWT) and lets secret scanners
 * recognise a leaked one. Only their SHA-256 is stored.
 */
export const REFRESH_TOKEN_PREFIX = "cgr_";

export function generateRefreshToken(): string {
  return REFRESH_TOKEN_PREFIX + poolRandomBytes(32).toString("base64url");
}

/**
 * The lookup key stored in the database. A fast hash suffices: the input has 256 bits of entropy.
 * The one-shot `hash` costs a third of a Hash object's; a refresh computes two.
 */
export function hashRefreshToken(token: string): string {
  return hash("sha256", token, "base64url");
}

export function looksLikeRefreshToken(token: string): boolean {
  return token.startsWith(REFRESH_TOKEN_PREFIX) && token.length === REFRESH_TOKEN_PREFIX.length + 43;
}
