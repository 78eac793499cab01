export { createAuthLink, type AuthLinkOptions } from "./auth-link.js";
export { claimgateErrors, isTokenExpired, type ClaimgateError } from "./claimgate-errors.js";
export { createClaimgateClient, type ClaimgateClientOptions } from "./create-client.js";
export { LoginDocument, MeDocument, PostPublishedDocument, PostsDocument, RefreshDocument, RenewConnectionDocument } from "./operations.js";
export { memoryTokenStore, type Tokens, type TokenStore } from "./token-store.js";
