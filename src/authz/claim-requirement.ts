/**
 * The claim-requirement grammar used by `@requiresClaims(claims: [...])` and `anyOf: [[...]]`:
 *
 *   name              the claim is present and truthy
 *   name=value        the claim equals value as text, or is an array containing it
 *   name=a|b          any one of the listed values
 *   {arg}             inside a value: the field argument `arg`
 *   {arg.a.b}         inside a value: a field of an input-object argument (lists are walked)
 *   {source.field}    inside a value: a field of the object (the parent object on a field-level
 *                     rule, the object itself on a type-level rule), read when it is resolved
 *   {source.field}    alone: holds when that field of the object is truthy
 *
 * A placeholder that yields a list holds only when the requirement holds for every element
 * (an empty list holds). A name may be a path into objects (`realm_access.roles`) or quoted
 * (`'https://x.com/a.b'`); see domain/claim-path.ts. A space-separated `scope` (or `scp`) claim
 * matches as a set of words. Parsing is pure and happens once, when the schema is built.
 */

import { ClaimPathSyntaxError, parseClaimPath } from "../domain/claim-path.js";

/** The reserved first segment of a placeholder that reads the object rather than an argument. */
export const SOURCE = "source";

/** A piece of a value: literal text, an argument (optionally a path into it), or a field of the object. */
export type ValueSegment =
  | { readonly text: string }
  | { readonly argument: string; readonly path?: readonly string[] }
  | { readonly sourceField: string };

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
      /** Field arguments the values refer to (the first segment of each argument placeholder). */
      readonly arguments: readonly string[];
      /** Fields of the object the values refer to. */
      readonly sourceFields: readonly string[];
    }
  | { readonly kind: "sourceTruthy"; readonly field: string; readonly source: string };

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
const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** Whether a requirement reads the object, so it can only be decided once the object exists. */
export function readsSource(requirement: ClaimRequirement): boolean {
  return requirement.kind === "sourceTruthy" || (requirement.kind === "oneOf" && requirement.sourceFields.length > 0);
}

export function parseClaimRequirement(source: string): ClaimRequirement {
  const fail = (reason: string): never => {
    throw new RequirementSyntaxError(source, reason);
  };
  if (source.startsWith("{")) {
    // `{source.field}` alone: the object's field is truthy.
    const notAlone = () => fail(`a claim name cannot contain spaces, '=', '|', '{' or '}' (only {${SOURCE}.<field>} may stand alone)`);
    if (source.indexOf("}") !== source.length - 1) notAlone();
    const segments = parseValueTemplate(source, fail).segments;
    const only = segments.length === 1 ? segments[0]! : undefined;
    if (!only || !("sourceField" in only)) notAlone();
    return { kind: "sourceTruthy", field: (only as { sourceField: string }).sourceField, source };
  }
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
  const sourceFields = new Set<string>();
  for (const value of values) {
    for (const segment of value.segments) {
      if ("argument" in segment) argumentNames.add(segment.argument);
      else if ("sourceField" in segment) sourceFields.add(segment.sourceField);
    }
  }
  return { kind: "oneOf", claim, values, source, arguments: [...argumentNames], sourceFields: [...sourceFields] };
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
    segments.push(parsePlaceholder(rest.slice(open + 1, close), fail));
    rest = rest.slice(close + 1);
  }
  const literal = segments.every((segment) => "text" in segment) ? text : null;
  return { segments, literal };
}

function parsePlaceholder(inner: string, fail: (reason: string) => never): ValueSegment {
  const names = inner.split(".");
  if (!names.every((name) => NAME.test(name))) {
    fail(`"{${inner}}" is not a placeholder: write {argument}, {argument.field} or {${SOURCE}.field}`);
  }
  const [first, ...path] = names as [string, ...string[]];
  if (first === SOURCE) {
    if (path.length !== 1) fail(`"{${inner}}" must name exactly one field of the object: {${SOURCE}.field}`);
    return { sourceField: path[0]! };
  }
  return path.length === 0 ? { argument: first } : { argument: first, path };
}
