/**
 * The claim-requirement grammar used by `@requiresClaims(claims: [...])`:
 *
 *   name            the claim is present and truthy
 *   name=value      the claim equals value as text, or is an array containing it
 *   name=a|b        any one of the listed values
 *   {arg}           inside a value: replaced by the field argument `arg`
 *
 * A name may be a path into objects (`realm_access.roles`) or quoted (`'https://x.com/a.b'`);
 * see domain/claim-path.ts. A space-separated `scope` (or `scp`) claim matches as a set of words.
 *
 * Parsing is pure and happens once, when the schema is built.
 */

import { ClaimPathSyntaxError, parseClaimPath } from "../domain/claim-path.js";

/** A piece of a value: literal text, or the name of a field argument. */
export type ValueSegment = { readonly text: string } | { readonly argument: string };

export interface ValueTemplate {
  readonly segments: readonly ValueSegment[];
  /** The value when it has no placeholder, so matching needs no substitution. */
  readonly literal: string | null;
}

export type ClaimRequirement =
  | { readonly kind: "truthy"; readonly claim: string; readonly source: string }
  | {
      readonly kind: "oneOf";
      readonly claim: string;
      readonly values: readonly ValueTemplate[];
      readonly source: string;
      /** Field arguments the values refer to. */
      readonly arguments: readonly string[];
    };

export class RequirementSyntaxError extends Error {
  readonly code = "ERR_REQUIREMENT_SYNTAX";
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`invalid claim requirement "${source}": ${reason}`);
    this.name = "RequirementSyntaxError";
  }
}

const CLAIM_NAME = /^[^\s=|{}]+$/;
const ARGUMENT_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

export function parseClaimRequirement(source: string): ClaimRequirement {
  const fail = (reason: string): never => {
    throw new RequirementSyntaxError(source, reason);
  };
  const equals = source.indexOf("=");
  const claim = equals === -1 ? source : source.slice(0, equals);
  if (claim === "") fail("the claim name is empty");
  if (!CLAIM_NAME.test(claim)) {
    fail("a claim name cannot contain spaces, '=', '|', '{' or '}'");
  }
  try {
    parseClaimPath(claim);
  } catch (error) {
    if (error instanceof ClaimPathSyntaxError) fail(error.reason);
    throw error;
  }
  if (equals === -1) return { kind: "truthy", claim, source };

  const alternatives = source.slice(equals + 1).split("|");
  const values = alternatives.map((alternative) => {
    if (alternative === "") fail("a value is empty (write name for 'any truthy value', or name=a|b for alternatives)");
    return parseValueTemplate(alternative, fail);
  });
  const argumentNames = new Set<string>();
  for (const value of values) {
    for (const segment of value.segments) if ("argument" in segment) argumentNames.add(segment.argument);
  }
  return { kind: "oneOf", claim, values, source, arguments: [...argumentNames] };
}

function parseValueTemplate(text: string, fail: (reason: string) => never): ValueTemplate {
  const segments: ValueSegment[] = [];
  let rest = text;
  while (rest !== "") {
    const open = rest.indexOf("{");
    const close = rest.indexOf("}");
    if (close !== -1 && (open === -1 || close < open)) fail("'}' without a matching '{'");
    if (open === -1) {
      segments.push({ text: rest });
      break;
    }
    if (open > 0) segments.push({ text: rest.slice(0, open) });
    if (close === -1) fail("'{' without a matching '}'");
    const argument = rest.slice(open + 1, close);
    if (!ARGUMENT_NAME.test(argument)) fail(`"{${argument}}" is not a placeholder for a field argument name`);
    segments.push({ argument });
    rest = rest.slice(close + 1);
  }
  const literal = segments.every((segment) => "text" in segment) ? text : null;
  return { segments, literal };
}
