import { DomainError } from "../domain/domain-error.js";

/** The refusals of the session service: each a stable reason with a message saying what to do. */
const refreshError = (reason: string, message: string) => new DomainError("UNAUTHENTICATED", reason, message);

export const sessionExpired = () =>
  refreshError("SESSION_EXPIRED", "This session reached its maximum age (SESSION_MAX_AGE) and has ended; log in again.");

/** A credential change committed while the login was in flight: answered like a wrong password. */
export const credentialsChanged = () => new DomainError("UNAUTHENTICATED", "INVALID_CREDENTIALS", "The email or password is incorrect.");

export const accountDisabled = () => new DomainError("FORBIDDEN", "ACCOUNT_DISABLED", "This account is disabled; contact an administrator.");

export const refreshTokenInvalid = () =>
  refreshError("REFRESH_TOKEN_INVALID", "The refresh token is not valid (unknown, or its session has ended); log in again.");

export const refreshTokenExpired = () => refreshError("REFRESH_TOKEN_EXPIRED", "The refresh token has expired; log in again.");

export const refreshTokenRotated = () =>
  refreshError("REFRESH_TOKEN_ROTATED", "This refresh token was just exchanged by another request; use the refresh token that request received.");

export const refreshTokenReused = () =>
  refreshError(
    "REFRESH_TOKEN_REUSED",
    "This refresh token was already used, so it may have been stolen: the whole session has been ended. Log in again.",
  );

export const sessionNotFound = () => new DomainError("NOT_FOUND", "SESSION_NOT_FOUND", "You have no session with that id (see the sessions query).");
