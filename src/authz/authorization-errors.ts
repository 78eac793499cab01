import { GraphQLError } from "graphql";
import type { TokenRejection } from "../auth/auth-state.js";


export const MISSING_TOKEN_MESSAGE =
  "No access token was presented: send `Authorization: Bearer <accessToken>` (the login mutation returns one).";

/** No usable access token where one is required (HTTP 401). */
export class UnauthenticatedError extends GraphQLError {
  constructor(reason: string, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { code: "UNAUTHENTICATED", reason, ...extensions } });
    this.name = "UnauthenticatedError";
  }

  static fromRejection(rejection: TokenRejection | null | undefined): UnauthenticatedError {
    return rejection
      ? new UnauthenticatedError(rejection.reason, rejection.message)
      : new UnauthenticatedError("MISSING_TOKEN", MISSING_TOKEN_MESSAGE);
  }
}

/** A valid caller who may not do this (HTTP 403). */
export class ForbiddenError extends GraphQLError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { code: "FORBIDDEN", ...extensions } });
    this.name = "ForbiddenError";
  }

  static missingClaims(requiredClaims: readonly string[]): ForbiddenError {
    return new ForbiddenError(`Your access token lacks the claims this field requires: ${requiredClaims.join(", ")}.`, {
      reason: "MISSING_CLAIMS",
      requiredClaims,
    });
  }
}
