import type { TokenRejection, TokenRejectionReason } from "./auth-state.js";

/** An access token that must not be accepted; `message` is safe to show the caller. */
export class TokenVerificationError extends Error implements TokenRejection {
  constructor(
    readonly reason: TokenRejectionReason,
    message: string,
  ) {
    super(message);
    this.name = "TokenVerificationError";
  }
}
