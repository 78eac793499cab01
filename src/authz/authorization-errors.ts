import { GraphQLError } from "graphql";
import { MISSING_TOKEN, type TokenRejection } from "../auth/caller.js";
import type { ErrorCode, ErrorReason } from "../domain/error-vocabulary.js";
import type { Denial } from "./requirement-set.js";

/** No usable access token where one is required (HTTP 401). */
export class UnauthenticatedError extends GraphQLError {
  constructor(reason: string, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { code: "UNAUTHENTICATED" satisfies ErrorCode, reason, ...extensions } });
    this.name = "UnauthenticatedError";
  }

  static fromRejection(rejection: TokenRejection | null | undefined): UnauthenticatedError {
    const { reason, message } = rejection ?? MISSING_TOKEN;
    return new UnauthenticatedError(reason, message);
  }
}

const alternativesText = (anyOf: readonly (readonly string[])[]): string =>
  anyOf.map((alternative) => (alternative.length === 0 ? "(any valid access token)" : `(${alternative.join(" and ")})`)).join(" or ");

function denialExtensions(denial: Denial): Record<string, unknown> {
  return {
    reason: "MISSING_CLAIMS" satisfies ErrorReason,
    requiredClaims: denial.requiredClaims,
    ...(denial.requiredAnyOf ? { requiredAnyOf: denial.requiredAnyOf } : {}),
  };
}

function denialText(denial: Denial): string {
  return denial.requiredAnyOf ? `one of ${alternativesText(denial.requiredAnyOf)}` : denial.requiredClaims.join(", ");
}

/** A valid caller who may not do this (HTTP 403). */
export class ForbiddenError extends GraphQLError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { code: "FORBIDDEN" satisfies ErrorCode, ...extensions } });
    this.name = "ForbiddenError";
  }

  static missingClaims(requiredClaims: readonly string[]): ForbiddenError {
    return ForbiddenError.fromDenial({ requiredClaims: [...requiredClaims] });
  }

  /** A field whose rules the caller's claims do not meet. */
  static fromDenial(denial: Denial): ForbiddenError {
    const message = denial.requiredAnyOf
      ? `Your access token meets none of the alternatives this field accepts: ${alternativesText(denial.requiredAnyOf)}.`
      : `Your access token lacks the claims this field requires: ${denial.requiredClaims.join(", ")}.`;
    return new ForbiddenError(message, denialExtensions(denial));
  }

  /**
   * An object the producing field returned, withheld because its type's rule does not hold for
   * it. `withheld: true` says the producing field's resolver ran; for a mutation's root field
   * (`mutation` set) that means its effect happened, which the message says too.
   */
  static objectWithheld(typeName: string, denial: Denial, mutation?: string): ForbiddenError {
    const message = mutation
      ? `${mutation} completed and its effect stands, but its result is withheld: reading this ${typeName} requires ${denialText(denial)}.`
      : `This ${typeName} is withheld: reading it requires ${denialText(denial)}.`;
    return new ForbiddenError(message, { ...denialExtensions(denial), type: typeName, withheld: true, ...(mutation ? { mutationCompleted: true } : {}) });
  }

  /** A guarded argument or input field the caller supplied. */
  static inputDenied(argumentPath: string, coordinate: string, denial: Denial): ForbiddenError {
    return new ForbiddenError(`Supplying ${argumentPath} (${coordinate}) requires ${denialText(denial)}.`, {
      ...denialExtensions(denial),
      argument: argumentPath,
    });
  }
}
