/** The schema's authorization directives cannot be enforced as written; startup stops. */
export class SchemaAuthorizationError extends Error {
  readonly code = "ERR_SCHEMA_AUTHORIZATION";
  constructor(readonly problems: readonly string[]) {
    super(`The schema's authorization directives are invalid:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "SchemaAuthorizationError";
  }
}
