// How command-line arguments become claim values. One rule for every command (user create,
// user grant, token mint):
//   name=value    the claim is the string "value"
//   name+=value   the claim is a list, and "value" is one of its items (repeat for more)
// so `--claim permissions+=posts:read` gives ["posts:read"], the shape the demo accounts have,
// and a claim never changes from a string to a list (or back) behind the user's back.
import type { UserClaims } from "../../domain/user-claims.js";
import { CliError, usageError } from "../cli-error.js";

export interface ClaimAssignment {
  readonly name: string;
  readonly value: string;
  /** Written `name+=value`: an item of a list claim. */
  readonly list: boolean;
}

/** Parses `name=value` or `name+=value`. */
export function parseClaimAssignment(text: string): ClaimAssignment {
  const equals = text.indexOf("=");
  if (equals === -1) throw usageError(`a claim is written name=value, or name+=value for an item of a list (got "${text}")`);
  const list = text[equals - 1] === "+";
  const name = text.slice(0, list ? equals - 1 : equals);
  if (name === "") throw usageError(`"${text}" has no claim name`);
  return { name, value: text.slice(equals + 1), list };
}

/** The claims of a new account or token: each name given either once as `name=`, or as `name+=` items. */
export function claimsFromAssignments(assignments: readonly ClaimAssignment[]): UserClaims {
  const claims: Record<string, string | string[]> = {};
  for (const { name, value, list } of assignments) {
    const existing = claims[name];
    if (existing === undefined) {
      claims[name] = list ? [value] : value;
    } else if (list && Array.isArray(existing)) {
      if (!existing.includes(value)) existing.push(value);
    } else {
      throw usageError(
        Array.isArray(existing) || list
          ? `${name} is given both as name=value and as name+=value; use name+=value for every item of a list`
          : `${name} is given twice; a list is written ${name}+=value for each item`,
      );
    }
  }
  return claims;
}

/** `user grant`: `name=value` sets a single-valued claim; `name+=value` adds an item to a list claim. */
export function grantClaims(current: UserClaims, assignments: readonly ClaimAssignment[]): UserClaims {
  const claims: UserClaims = { ...current };
  for (const { name, value, list } of assignments) {
    const existing = claims[name];
    if (list) {
      if (existing === undefined) claims[name] = [value];
      else if (Array.isArray(existing)) claims[name] = existing.includes(value) ? existing : [...existing, value];
      else throw new CliError(`${name} holds a single value; replace it with ${name}=${value}, or revoke it first to make it a list`);
    } else {
      if (Array.isArray(existing)) throw new CliError(`${name} is a list; add an item with ${name}+=${value}`);
      claims[name] = value;
    }
  }
  return claims;
}

/** `user revoke`: `name` removes the claim; `name=value` removes one item of a list, or the claim if it is that value. */
export function revokeClaims(current: UserClaims, changes: readonly string[]): UserClaims {
  const claims: UserClaims = { ...current };
  for (const change of changes) {
    const equals = change.indexOf("=");
    const list = equals > 0 && change[equals - 1] === "+";
    const name = equals === -1 ? change : change.slice(0, list ? equals - 1 : equals);
    const value = equals === -1 ? undefined : change.slice(equals + 1);
    if (name === "") throw usageError(`"${change}" has no claim name`);
    const existing = claims[name];
    if (existing === undefined) throw new CliError(`the account has no claim "${name}"`);
    if (value === undefined || existing === value) {
      delete claims[name];
    } else if (Array.isArray(existing) && existing.includes(value)) {
      claims[name] = existing.filter((item) => item !== value);
    } else {
      throw new CliError(`claim "${name}" does not hold "${value}"`);
    }
  }
  return claims;
}
