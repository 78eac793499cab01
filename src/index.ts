// The public API of claimgate as a library.
export { applyRequiresClaims, describeAuthorization, type ApplyRequiresClaimsOptions } from "./authz/apply-requires-claims.js";
export { ForbiddenError, UnauthenticatedError } from "./authz/authorization-errors.js";
export { parseClaimRequirement, RequirementSyntaxError, type ClaimRequirement } from "./authz/claim-requirement.js";
export { isTruthyClaim, satisfiesRequirement, type Claims } from "./authz/match-claims.js";
export { ClaimPathSyntaxError, parseClaimPath, resolveClaimPath, type ClaimPath } from "./domain/claim-path.js";
export { compileRequirements, RequirementPlaceholderError, type RequirementSet } from "./authz/requirement-set.js";
export { SchemaAuthorizationError } from "./authz/schema-authorization-error.js";
export type { AuthContext, AuthState, TokenRejection } from "./auth/auth-state.js";
export { startServer, type RunningServer, type StartServerOptions } from "./server/start-server.js";
export { parseConfig } from "./config/parse-config.js";
export type { Config } from "./config/config.js";
