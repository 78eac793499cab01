import type { ApolloServerPlugin } from "@apollo/server";
import { unwrapResolverError } from "@apollo/server/errors";
import type { GraphQLError } from "graphql";
import { findDatabaseFault } from "../db/database-fault.js";
import { DomainError } from "../domain/domain-error.js";
import { type ErrorCode, errorCodeEntry, errorReasonEntry } from "../domain/error-vocabulary.js";
import { findClientMistake } from "../graphql/client-mistakes.js";
import type { GraphQLContext } from "../graphql/context.js";
import type { Logger } from "./logger.js";

const INTERNAL_SERVER_ERROR: ErrorCode = "INTERNAL_SERVER_ERROR";
const SERVICE_UNAVAILABLE: ErrorCode = "SERVICE_UNAVAILABLE";

function isUnexpected(error: GraphQLError): boolean {
  if (error.extensions?.["code"] !== undefined && error.extensions["code"] !== INTERNAL_SERVER_ERROR) return false;
  const original = unwrapResolverError(error);
  return !(original instanceof DomainError);
}

/** The code the client saw for this error (the formatter gives database faults and client mistakes theirs). */
function clientCodeOf(error: GraphQLError): unknown {
  if (findDatabaseFault(unwrapResolverError(error))) return SERVICE_UNAVAILABLE;
  return findClientMistake(error)?.code ?? error.extensions?.["code"] ?? INTERNAL_SERVER_ERROR;
}

/**
 * One JSON line per request (request id, operation, duration, outcome), one event per
 * authorization denial, and the details of unexpected errors, which clients only see masked.
 * Variables are never logged: they carry passwords and refresh tokens.
 */
export function requestLogPlugin(logger: Logger): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      const requestId = contextValue.requestId;
      return {
        async didEncounterErrors({ errors, operationName }) {
          for (const error of errors) {
            const code = error.extensions?.["code"];
            // What each code and reason is logged as comes from the error vocabulary.
            const logEvent = errorCodeEntry(code)?.log;
            if (logEvent === "authorization_denied" && error.path) {
              logger.info(
                {
                  event: "authorization_denied",
                  requestId,
                  operationName,
                  path: error.path.join("."),
                  code,
                  reason: error.extensions["reason"],
                  requiredClaims: error.extensions["requiredClaims"],
                  // The precise cause of a refused token (EXPIRED, BAD_SIGNATURE, …); clients see only the reason.
                  tokenError: contextValue.auth.error?.code,
                  subject: contextValue.auth.claims?.["sub"],
                },
                "authorization denied",
              );
            } else if (findDatabaseFault(unwrapResolverError(error))) {
              const fault = findDatabaseFault(unwrapResolverError(error))!;
              logger.error(
                { event: "database_fault", requestId, operationName, fault: fault.kind, databaseCode: fault.databaseCode, err: unwrapResolverError(error) },
                `database fault: ${fault.kind}`,
              );
            } else if (findClientMistake(error) || logEvent === "client_error" || errorReasonEntry(error.extensions?.["reason"])?.clientMistake) {
              // The client's mistake, not ours: worth a look, not a page.
              const mistake = findClientMistake(error);
              logger.warn(
                { event: "client_error", requestId, operationName, code: mistake?.code ?? code, reason: mistake?.reason ?? error.extensions?.["reason"] },
                mistake?.message ?? error.message,
              );
            } else if (isUnexpected(error)) {
              logger.error({ event: "unexpected_error", requestId, operationName, err: unwrapResolverError(error) }, "unexpected error");
            }
          }
        },
        async willSendResponse({ response, operationName, errors }) {
          response.http.headers.set("x-request-id", requestId);
          logger.info(
            {
              event: "request",
              requestId,
              operationName: operationName ?? null,
              durationMs: Math.round((performance.now() - started) * 100) / 100,
              status: response.http.status ?? 200,
              outcome: errors?.length ? "error" : "ok",
              errorCodes: errors?.length ? [...new Set(errors.map(clientCodeOf))] : undefined,
              subject: contextValue.auth.claims?.["sub"],
            },
            "graphql request",
          );
        },
      };
    },
  };
}
