import { CombinedGraphQLErrors } from "@apollo/client/errors";

/** The errors claimgate documents, as a discriminated union on `code`. */
export type ClaimgateError =
  | { code: "UNAUTHENTICATED"; reason: "MISSING_TOKEN" | "TOKEN_EXPIRED" | "TOKEN_INVALID" | (string & {}); message: string; path?: readonly (string | number)[] }
  | { code: "FORBIDDEN"; reason: string; requiredClaims: readonly string[]; message: string; path?: readonly (string | number)[] }
  | { code: "BAD_USER_INPUT"; reason: string; field?: string; message: string; path?: readonly (string | number)[] }
  | { code: "TOO_MANY_REQUESTS"; reason: string; retryAfter: number; message: string; path?: readonly (string | number)[] }
  | { code: "OTHER"; message: string; path?: readonly (string | number)[] };

/** Reads claimgate's errors out of whatever Apollo Client reported, typed by their code. */
export function claimgateErrors(error: unknown): ClaimgateError[] {
  if (!CombinedGraphQLErrors.is(error)) return [];
  return error.errors.map((graphQLError) => {
    const extensions = (graphQLError.extensions ?? {}) as Record<string, unknown>;
    const base = { message: graphQLError.message, ...(graphQLError.path ? { path: graphQLError.path } : {}) };
    switch (extensions["code"]) {
      case "UNAUTHENTICATED":
        return { ...base, code: "UNAUTHENTICATED", reason: String(extensions["reason"]) };
      case "FORBIDDEN":
        return { ...base, code: "FORBIDDEN", reason: String(extensions["reason"]), requiredClaims: (extensions["requiredClaims"] as string[]) ?? [] };
      case "BAD_USER_INPUT":
        return { ...base, code: "BAD_USER_INPUT", reason: String(extensions["reason"]), ...(extensions["field"] ? { field: String(extensions["field"]) } : {}) };
      case "TOO_MANY_REQUESTS":
        return { ...base, code: "TOO_MANY_REQUESTS", reason: String(extensions["reason"]), retryAfter: Number(extensions["retryAfter"]) };
      default:
        return { ...base, code: "OTHER" };
    }
  });
}

export function isTokenExpired(error: unknown): boolean {
  return claimgateErrors(error).some((e) => e.code === "UNAUTHENTICATED" && e.reason === "TOKEN_EXPIRED");
}
