import { type ClaimPath, isPlainClaimName, parseClaimPath, resolveClaimPath } from "../domain/claim-path.js";
import type { ClaimRequirement, ValueTemplate } from "./claim-requirement.js";

/** Verified access-token claims, as decoded from the JWT payload. */
export type Claims = Readonly<Record<string, unknown>>;
export type FieldArguments = Readonly<Record<string, unknown>>;

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

function argumentText(value: unknown): string | undefined {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
}

/** The value with placeholders filled from `args`, or undefined when an argument is missing, null or not a scalar. */
export function resolveValue(template: ValueTemplate, args: FieldArguments): string | undefined {
  if (template.literal !== null) return template.literal;
  let text = "";
  for (const segment of template.segments) {
    if ("text" in segment) {
      text += segment.text;
    } else {
      const value = argumentText(args[segment.argument]);
      if (value === undefined) return undefined;
      text += value;
    }
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

/** Whether `claims` satisfy one requirement, with placeholders taken from `args`. */
export function satisfiesRequirement(requirement: ClaimRequirement, claims: Claims, args: FieldArguments): boolean {
  const claim = lookupClaim(claims, requirement.claim);
  if (requirement.kind === "truthy") return isTruthyClaim(claim);
  if (claim === undefined || claim === null) return false;
  for (const template of requirement.values) {
    const expected = resolveValue(template, args);
    if (expected !== undefined && claimEquals(claim, expected)) return true;
  }
  return false;
}

/** The requirement as the caller should read it: placeholders filled in where the arguments allow. */
export function describeRequirement(requirement: ClaimRequirement, args: FieldArguments): string {
  if (requirement.kind === "truthy") return requirement.source;
  const values = requirement.values.map((template) =>
    template.literal ??
    template.segments
      .map((segment) => ("text" in segment ? segment.text : argumentText(args[segment.argument]) ?? `{${segment.argument}}`))
      .join(""),
  );
  return `${requirement.claim}=${values.join("|")}`;
}

export type ClaimPredicate = (claims: Claims, args: FieldArguments) => boolean;

/**
 * The requirement as a function specialised once, at schema build: a literal value becomes a
 * direct comparison (or a Set lookup for alternatives), so the per-field check does no parsing,
 * no allocation and no generic loop. Same answers as satisfiesRequirement.
 */
export function compilePredicate(requirement: ClaimRequirement): ClaimPredicate {
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
  return (claims, args) => satisfiesRequirement(requirement, claims, args);
}
