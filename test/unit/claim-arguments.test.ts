import { describe, expect, it } from "vitest";
import { CliError } from "../../src/cli/cli-error.js";
import { claimsFromAssignments, grantClaims, parseClaimAssignment, revokeClaims } from "../../src/cli/commands/claim-arguments.js";

const parse = (...texts: string[]) => texts.map(parseClaimAssignment);

describe("claim arguments: name=value is a string, name+=value an item of a list", () => {
  it("parses both forms; values may contain = and be empty", () => {
    expect(parseClaimAssignment("role=admin")).toEqual({ name: "role", value: "admin", list: false });
    expect(parseClaimAssignment("permissions+=posts:read")).toEqual({ name: "permissions", value: "posts:read", list: true });
    expect(parseClaimAssignment("note=a=b")).toEqual({ name: "note", value: "a=b", list: false });
    expect(parseClaimAssignment("tag+=")).toEqual({ name: "tag", value: "", list: true });
  });

  it("refuses an argument without a name or without =", () => {
    expect(() => parseClaimAssignment("role")).toThrow(/a claim is written name=value, or name\+=value .*\(got "role"\)/);
    expect(() => parseClaimAssignment("=x")).toThrow('"=x" has no claim name');
    expect(() => parseClaimAssignment("+=x")).toThrow('"+=x" has no claim name');
  });

  it("builds new claims: a single += item is already a list", () => {
    expect(claimsFromAssignments(parse("permissions+=posts:read"))).toEqual({ permissions: ["posts:read"] });
    expect(claimsFromAssignments(parse("role=admin", "permissions+=posts:read", "permissions+=posts:write", "permissions+=posts:read"))).toEqual({
      role: "admin",
      permissions: ["posts:read", "posts:write"],
    });
  });

  it("refuses a repeated name= and a mix of the two forms, naming the fix", () => {
    expect(() => claimsFromAssignments(parse("role=a", "role=b"))).toThrow("role is given twice; a list is written role+=value for each item");
    expect(() => claimsFromAssignments(parse("p=a", "p+=b"))).toThrow(/p is given both as name=value and as name\+=value/);
    expect(() => claimsFromAssignments(parse("p+=a", "p=b"))).toThrow(/p is given both as name=value and as name\+=value/);
  });

  it("grant keeps each claim's shape: = replaces a string, += adds to a list", () => {
    const current = { role: "user", permissions: ["posts:read"] };
    expect(grantClaims(current, parse("role=editor", "permissions+=posts:write", "teams+=blue"))).toEqual({
      role: "editor",
      permissions: ["posts:read", "posts:write"],
      teams: ["blue"],
    });
    expect(current).toEqual({ role: "user", permissions: ["posts:read"] });
    expect(() => grantClaims(current, parse("permissions=posts:write"))).toThrow("permissions is a list; add an item with permissions+=posts:write");
    expect(() => grantClaims(current, parse("role+=admin"))).toThrow(/role holds a single value; replace it with role=admin/);
    expect(() => grantClaims(current, parse("role+=admin"))).toThrow(CliError);
  });

  it("revoke removes a claim, one item of a list, or a string equal to the value", () => {
    const current = { role: "user", permissions: ["posts:read", "posts:write"] };
    expect(revokeClaims(current, ["permissions=posts:write"])).toEqual({ role: "user", permissions: ["posts:read"] });
    expect(revokeClaims(current, ["permissions+=posts:write"])).toEqual({ role: "user", permissions: ["posts:read"] });
    expect(revokeClaims(current, ["role"])).toEqual({ permissions: ["posts:read", "posts:write"] });
    expect(revokeClaims(current, ["role=user"])).toEqual({ permissions: ["posts:read", "posts:write"] });
    expect(() => revokeClaims(current, ["team"])).toThrow('the account has no claim "team"');
    expect(() => revokeClaims(current, ["role=admin"])).toThrow('claim "role" does not hold "admin"');
  });
});
