// The public API of claimgate as a library.
export { applyRequiresClaims, describeAuthorization, planOf, type ApplyRequiresClaimsOptions } from "./authz/apply-requires-claims.js";
export {
  analyzeOperation,
  deniedErrors,
  type AccessDecision,
  type AnalyzeOperationOptions,
  type OperationAnalysis,
  type Outcome,
} from "./authz/analyze-operation.js";
export { createOperationAnalyzer, type OperationAnalyzerOptions } from "./authz/operation-analyzer.js";
export { parseAccessRule, RuleShapeError, type AccessRule } from "./authz/access-rule.js";
export type { WouldDenyEvent, WouldDenyListener } from "./authz/would-deny.js";
export { ForbiddenError, UnauthenticatedError } from "./authz/authorization-errors.js";
export { parseClaimRequirement, RequirementSyntaxError, type ClaimRequirement } from "./authz/claim-requirement.js";
export { isTruthyClaim, satisfiesRequirement } from "./authz/match-claims.js";
export { compileRequirements, compileRuleSet, RequirementPlaceholderError, type Denial, type RequirementSet } from "./authz/requirement-set.js";
export { ClaimPathSyntaxError, parseClaimPath, resolveClaimPath, type ClaimPath } from "./domain/claim-path.js";
export { SchemaAuthorizationError } from "./authz/schema-authorization-error.js";
export type { AuthContext, AuthState, Claims, Principal, TokenRejection } from "./auth/caller.js";
export { startServer, type RunningServer, type StartServerOptions } from "./server/start-server.js";
export { parseConfig } from "./config/parse-config.js";
export type { Config } from "./config/config.js";
