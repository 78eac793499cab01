import type { IssuedTokens } from "../auth/sessions.js";
import { DomainError } from "../domain/domain-error.js";
import type { GraphQLContext, RefreshCookieJar } from "./context.js";

/** AuthPayload as sent: in cookie mode the refresh token travels in the cookie and the field is null. */
export type DeliveredTokens = Omit<IssuedTokens, "refreshToken"> & { readonly refreshToken: string | null };

/**
 * Cookie mode: the refresh token lives in an HttpOnly cookie the page's scripts cannot read.
 * A client asks for it with the `Claimgate-Refresh-Token: cookie` header (one setting in the
 * client's link, and a header no cross-site form can send without a CORS preflight);
 * `refresh` and `logout` called without a token use the cookie. Every cookie-mode request must
 * come from an origin in CORS_ORIGINS.
 */
export function cookieMode(context: GraphQLContext): RefreshCookieJar | null {
  const jar = context.refreshCookie;
  if (!jar?.requested) return null;
  return usableJar(jar);
}

/** Hands out freshly issued tokens: in cookie mode sets the cookie and leaves `refreshToken` null. */
export function deliverTokens(jar: RefreshCookieJar | null, tokens: IssuedTokens): DeliveredTokens {
  if (jar === null) return tokens;
  jar.set(tokens.refreshToken);
  return { ...tokens, refreshToken: null };
}

/** The refresh token to use: the argument when given (body mode), otherwise the cookie (cookie mode). */
export function presentedRefreshToken(context: GraphQLContext, argument: string | null | undefined): { token: string; jar: RefreshCookieJar | null } {
  if (argument != null) return { token: argument, jar: cookieMode(context) };
  const jar = context.refreshCookie;
  if (jar === null) {
    throw new DomainError("UNAUTHENTICATED", "REFRESH_TOKEN_MISSING", "Pass the refresh token as the refreshToken argument.");
  }
  const token = usableJar(jar).read();
  if (token === null) {
    throw new DomainError(
      "UNAUTHENTICATED",
      "REFRESH_TOKEN_MISSING",
      "No refresh token: pass it as the refreshToken argument, or log in in cookie mode (header Claimgate-Refresh-Token: cookie) so the browser keeps it in a cookie.",
    );
  }
  return { token, jar };
}

function usableJar(jar: RefreshCookieJar): RefreshCookieJar {
  if (jar.refusal !== null) throw new DomainError("FORBIDDEN", "ORIGIN_NOT_ALLOWED", jar.refusal);
  return jar;
}

/** RegistrationPayload as sent. */
export interface DeliveredRegistration {
  readonly status: "VERIFICATION_SENT" | "REGISTERED";
  readonly auth: DeliveredTokens | null;
}
