import type { Claims } from "../auth/caller.js";
import { type ClaimPath, isPlainClaimName, parseClaimPath, resolveClaimPath } from "../domain/claim-path.js";
import type { ClaimRequirement, ValueSegment, ValueTemplate } from "./claim-requirement.js";

export type FieldArguments = Readonly<Record<string, unknown>>;

/**
 * Stands for "the object is not known yet" (pre-execution analysis, `authz check`): a
 * requirement that reads it evaluates to undefined (undecided) rather than true or false.
 */
export const UNKNOWN_SOURCE: unique symbol = Symbol("claimgate.unknownSource");
export type SourceValue = unknown;

/** true, a non-empty string, a non-zero number, a non-empty array or a non-empty object. */
export function isTruthyClaim(value: unknown): boolean {
  if (value === true) return true;
  if (typeof value === "string") return value.length > 0;
  if (typeof value === "number") return value !== 0 && !Number.isNaN(value);
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object" && value !== null) return Object.keys(value).length > 0;
  return false;
}

/** A claim compares as text when it is a string, a finite number or a boolean; anything else never matches. */
function claimText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return String(value);
  return undefined;
}

function scalarText(value: unknown): string | undefined {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
}

function property(object: unknown, name: string): unknown {
  return typeof object === "object" && object !== null ? (object as Record<string, unknown>)[name] : undefined;
}

/**
 * Every text a placeholder stands for: one for a scalar, one per element when the argument
 * (or a step of its path) is a list. undefined when a value is missing, null or not a scalar.
 */
export function placeholderTexts(segment: ValueSegment, args: FieldArguments, source: SourceValue): string[] | undefined {
  if ("text" in segment) return [segment.text];
  let values: unknown[];
  let path: readonly string[];
  if ("sourceField" in segment) {
    values = [property(source, segment.sourceField)];
    path = [];
  } else {
    values = [Object.hasOwn(args, segment.argument) ? args[segment.argument] : undefined];
    path = segment.path ?? [];
  }
  for (const step of path) {
    const next: unknown[] = [];
    for (const value of values) {
      if (Array.isArray(value)) for (const item of value) next.push(property(item, step));
      else if (value == null) return undefined;
      else next.push(property(value, step));
    }
    values = next;
  }
  const texts: string[] = [];
  for (const value of values) {
    if (Array.isArray(value)) {
      for (const item of value) {
        const text = scalarText(item);
        if (text === undefined) return undefined;
        texts.push(text);
      }
    } else {
      const text = scalarText(value);
      if (text === undefined) return undefined;
      texts.push(text);
    }
  }
  return texts;
}

/** The value with placeholders filled, when each stands for exactly one text; undefined otherwise. */
export function resolveValue(template: ValueTemplate, args: FieldArguments, source?: SourceValue): string | undefined {
  if (template.literal !== null) return template.literal;
  let text = "";
  for (const segment of template.segments) {
    const texts = placeholderTexts(segment, args, source);
    if (texts === undefined || texts.length !== 1) return undefined;
    text += texts[0];
  }
  return text;
}

function claimEquals(claim: unknown, expected: string): boolean {
  if (Array.isArray(claim)) {
    for (const item of claim) if (claimText(item) === expected) return true;
    return false;
  }
  return claimText(claim) === expected;
}

const segmentKey = (segment: ValueSegment): string =>
  "text" in segment ? "" : "sourceField" in segment ? `source.${segment.sourceField}` : [segment.argument, ...(segment.path ?? [])].join(".");

/**
 * oneOf with placeholders: every combination of the placeholders' values (one per list
 * element) must be matched by some alternative; an empty list holds vacuously.
 */
function satisfiesTemplates(claim: unknown, templates: readonly ValueTemplate[], args: FieldArguments, source: SourceValue): boolean {
  const placeholders = new Map<string, string[] | undefined>();
  for (const template of templates) {
    for (const segment of template.segments) {
      if ("text" in segment) continue;
      const key = segmentKey(segment);
      if (!placeholders.has(key)) placeholders.set(key, placeholderTexts(segment, args, source));
    }
  }
  const keys = [...placeholders.keys()].filter((key) => placeholders.get(key) !== undefined);
  if (keys.some((key) => placeholders.get(key)!.length === 0)) return true;
  const assignment = new Map<string, string>();
  const matches = (): boolean =>
    templates.some((template) => {
      let text = "";
      for (const segment of template.segments) {
        if ("text" in segment) text += segment.text;
        else {
          const value = assignment.get(segmentKey(segment));
          if (value === undefined) return false;
          text += value;
        }
      }
      return claimEquals(claim, text);
    });
  const every = (index: number): boolean => {
    if (index === keys.length) return matches();
    const key = keys[index]!;
    for (const value of placeholders.get(key)!) {
      assignment.set(key, value);
      if (!every(index + 1)) return false;
    }
    return true;
  };
  return every(0);
}

const parsedPaths = new Map<string, ClaimPath>();
/** The one place a requirement's claim is looked up: a top-level name, a nested path or a scope set (see claim-path.ts). */
function lookupClaim(claims: Claims, name: string): unknown {
  let path = parsedPaths.get(name);
  if (path === undefined) {
    path = parseClaimPath(name);
    if (parsedPaths.size < 10_000) parsedPaths.set(name, path);
  }
  return resolveClaimPath(claims, path);
}

/** Whether `claims` satisfy one requirement, with placeholders taken from `args` and the object `source`. */
export function satisfiesRequirement(requirement: ClaimRequirement, claims: Claims, args: FieldArguments, source?: SourceValue): boolean {
  if (requirement.kind === "sourceTruthy") return isTruthyClaim(property(source, requirement.field));
  const claim = lookupClaim(claims, requirement.claim);
  if (requirement.kind === "truthy") return isTruthyClaim(claim);
  if (claim === undefined || claim === null) return false;
  if (requirement.values.every((template) => template.literal !== null)) {
    for (const template of requirement.values) if (claimEquals(claim, template.literal!)) return true;
    return false;
  }
  return satisfiesTemplates(claim, requirement.values, args, source);
}

/**
 * Three-valued: true or false when it can be decided, undefined when it needs what is not
 * known yet (the object, or arguments that could not be read).
 */
export function decideRequirement(
  requirement: ClaimRequirement,
  claims: Claims,
  args: FieldArguments | undefined,
  source: SourceValue | typeof UNKNOWN_SOURCE,
): boolean | undefined {
  if (requirement.kind === "truthy") return satisfiesRequirement(requirement, claims, {});
  const sourceUnknown = source === UNKNOWN_SOURCE;
  if (requirement.kind === "sourceTruthy") return sourceUnknown ? undefined : satisfiesRequirement(requirement, claims, {}, source);
  const claim = lookupClaim(claims, requirement.claim);
  // Whatever the object holds, an absent claim never equals it.
  if (claim === undefined || claim === null) return false;
  if ((sourceUnknown && requirement.sourceFields.length > 0) || (args === undefined && requirement.arguments.length > 0)) return undefined;
  return satisfiesRequirement(requirement, claims, args ?? {}, sourceUnknown ? undefined : source);
}

/**
 * The requirement as the caller should read it: argument placeholders filled in where the
 * arguments allow (the caller supplied them). Values of the object stay as placeholders, so an
 * error never reveals data the caller may not read.
 */
export function describeRequirement(requirement: ClaimRequirement, args: FieldArguments): string {
  if (requirement.kind !== "oneOf") return requirement.source;
  const values = requirement.values.map(
    (template) =>
      template.literal ??
      template.segments
        .map((segment) => {
          if ("text" in segment) return segment.text;
          if ("sourceField" in segment) return `{source.${segment.sourceField}}`;
          const texts = placeholderTexts(segment, args, undefined);
          return texts && texts.length > 0 ? texts.join(",") : `{${[segment.argument, ...(segment.path ?? [])].join(".")}}`;
        })
        .join(""),
  );
  return `${requirement.claim}=${values.join("|")}`;
}

export type ClaimPredicate = (claims: Claims, args: FieldArguments, source?: SourceValue) => boolean;

/**
 * The requirement as a function specialised once, at schema build: a literal value becomes a
 * direct comparison (or a Set lookup for alternatives), so the per-field check does no parsing,
 * no allocation and no generic loop. Same answers as satisfiesRequirement.
 */
export function compilePredicate(requirement: ClaimRequirement): ClaimPredicate {
  if (requirement.kind === "sourceTruthy") {
    const field = requirement.field;
    return (_claims, _args, source) => isTruthyClaim(property(source, field));
  }
  const name = requirement.claim;
  const path = parseClaimPath(name);
  const plain = isPlainClaimName(path);
  const own = plain
    ? (claims: Claims): unknown => (Object.hasOwn(claims, name) ? claims[name] : undefined)
    : (claims: Claims): unknown => resolveClaimPath(claims, path);
  if (requirement.kind === "truthy") return (claims) => isTruthyClaim(own(claims));
  if (!plain && requirement.values.every((value) => value.literal !== null)) {
    const expected = new Set(requirement.values.map((value) => value.literal!));
    return (claims) => {
      const claim = own(claims);
      if (Array.isArray(claim)) return claim.some((item) => expected.has(claimText(item) as string));
      const text = claimText(claim);
      return text !== undefined && expected.has(text);
    };
  }
  if (requirement.values.every((value) => value.literal !== null)) {
    const literals = requirement.values.map((value) => value.literal!);
    if (literals.length === 1) {
      const expected = literals[0]!;
      return (claims) => {
        const claim = claims[name];
        // The cheap comparison first; hasOwn keeps inherited properties from counting as claims.
        if (claim === expected) return Object.hasOwn(claims, name);
        return typeof claim !== "string" && claim != null && Object.hasOwn(claims, name) && claimEquals(claim, expected);
      };
    }
    const expected = new Set(literals);
    return (claims) => {
      const claim = own(claims);
      if (typeof claim === "string") return expected.has(claim);
      if (Array.isArray(claim)) return claim.some((item) => expected.has(claimText(item) as string));
      const text = claimText(claim);
      return text !== undefined && expected.has(text);
    };
  }
  // The common object-level form, `claim={source.field}` or `claim={arg}`: one comparison, no combinations.
  const [only] = requirement.values;
  if (requirement.values.length === 1 && only!.segments.length === 1) {
    const segment = only!.segments[0]!;
    if ("sourceField" in segment) {
      const field = segment.sourceField;
      return (claims, _args, source) => {
        const claim = own(claims);
        if (claim == null) return false;
        const value = property(source, field);
        if (typeof value === "string") return claim === value || (typeof claim !== "string" && claimEquals(claim, value));
        return satisfiesRequirement(requirement, claims, {}, source);
      };
    }
  }
  return (claims, args, source) => satisfiesRequirement(requirement, claims, args, source);
}
