import { REGISTERED_CLAIM_NAMES } from "./registered-claims.js";
import { badInput } from "./domain-error.js";

export type UserClaims = Record<string, unknown>;

const MAX_CLAIMS_BYTES = 4096;

/** Reads the claims column; a corrupt value yields no claims rather than a failed login. */
export function decodeStoredClaims(text: string): UserClaims {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as UserClaims) : {};
  } catch {
    return {};
  }
}

/** Validates claims an administrator wants to give a user. */
export function parseUserClaims(input: unknown): UserClaims {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw badInput("INVALID_CLAIMS", 'Claims must be a JSON object, such as {"role": "user", "permissions": ["posts:read"]}.', {
      field: "claims",
    });
  }
  const reserved = Object.keys(input).filter((name) => REGISTERED_CLAIM_NAMES.has(name));
  if (reserved.length > 0) {
    throw badInput(
      "RESERVED_CLAIM",
      `${reserved.join(", ")} ${reserved.length === 1 ? "is a registered claim" : "are registered claims"} that the server sets itself; choose other names.`,
      { field: "claims", claims: reserved },
    );
  }
  if (JSON.stringify(input).length > MAX_CLAIMS_BYTES) {
    throw badInput("INVALID_CLAIMS", `Claims may take at most ${MAX_CLAIMS_BYTES} bytes of JSON; they travel in every token.`, {
      field: "claims",
    });
  }
  return input as UserClaims;
}
