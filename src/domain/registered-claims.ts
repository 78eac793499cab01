/** Claims the server sets itself in access tokens (RFC 7519, RFC 9068); a user's own claims can never replace them. */
export const REGISTERED_CLAIM_NAMES: ReadonlySet<string> = new Set([
  "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid", "cv", "typ", "cty", "client_id", "scope", "auth_time", "acr", "amr", "cnf",
]);
