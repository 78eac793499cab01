import { type GraphQLFormattedError, GraphQLError } from "graphql";
import { HeaderMap, type HTTPGraphQLHead } from "@apollo/server";

export type FormatError = (formattedError: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

export interface ErrorFormattingOptions {
  readonly formatError: FormatError;
  readonly includeStacktraceInErrorResponses: boolean;
}

export const INTERNAL_SERVER_ERROR_CODE = "INTERNAL_SERVER_ERROR";

/** Any thrown value as an Error (Apollo Server's `ensureError`). */
export function ensureError(maybeError: unknown): Error {
  return maybeError instanceof Error ? maybeError : new GraphQLError(`Unexpected error value: ${String(maybeError)}`);
}

/** Any thrown value as a GraphQLError (Apollo Server's `ensureGraphQLError`). */
export function ensureGraphQLError(maybeError: unknown, messagePrefix = ""): GraphQLError {
  const error = ensureError(maybeError);
  return error instanceof GraphQLError ? error : new GraphQLError(messagePrefix + error.message, { originalError: error });
}

function isPartialHttpHead(value: unknown): value is Partial<HTTPGraphQLHead> {
  return (
    !!value &&
    typeof value === "object" &&
    (!("status" in value) || typeof value.status === "number") &&
    (!("headers" in value) || value.headers instanceof Map)
  );
}

/** Copies a status and headers into `target` (Apollo Server's `mergeHTTPGraphQLHead`). */
export function mergeHttpHead(target: HTTPGraphQLHead, source: Partial<HTTPGraphQLHead>): void {
  if (source.status) target.status = source.status;
  if (source.headers) for (const [name, value] of source.headers) target.headers.set(name, value);
}

/**
 * The errors of a response as Apollo Server formats them (its `normalizeAndFormatErrors`, which
 * it does not export): a code on every error, an `extensions.http` taken out into the response's
 * status and headers, stack traces only when asked for, then `formatError`; a formatter that
 * throws yields a masked internal error. The lean path (lean-graphql-path.ts) must answer
 * exactly as Apollo would, and test/integration/lean-graphql-path.test.ts holds it to that.
 */
export function formatGraphQLErrors(
  errors: readonly unknown[],
  options: ErrorFormattingOptions,
): { formattedErrors: GraphQLFormattedError[]; http: HTTPGraphQLHead } {
  const http: HTTPGraphQLHead = { status: undefined, headers: new HeaderMap() };
  const enrich = (maybeError: unknown): GraphQLFormattedError => {
    const error = ensureGraphQLError(maybeError);
    const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions["code"] ?? INTERNAL_SERVER_ERROR_CODE };
    if (isPartialHttpHead(extensions["http"])) {
      mergeHttpHead(http, { headers: new HeaderMap(), ...extensions["http"] });
      delete extensions["http"];
    }
    if (options.includeStacktraceInErrorResponses) extensions["stacktrace"] = error.stack?.split("\n");
    return { ...error.toJSON(), extensions };
  };
  const formattedErrors = errors.map((error) => {
    try {
      return options.formatError(enrich(error), error);
    } catch (formattingError) {
      if (options.includeStacktraceInErrorResponses) return enrich(formattingError);
      return { message: "Internal server error", extensions: { code: INTERNAL_SERVER_ERROR_CODE } };
    }
  });
  return { formattedErrors, http };
}
