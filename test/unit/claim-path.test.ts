import { describe, expect, it } from "vitest";
import { parseClaimRequirement, RequirementSyntaxError } from "../../src/authz/claim-requirement.js";
import { compilePredicate, satisfiesRequirement } from "../../src/authz/match-claims.js";
import { ClaimPathSyntaxError, parseClaimPath, resolveClaimPath } from "../../src/domain/claim-path.js";

const resolve = (source: string, claims: Record<string, unknown>) => resolveClaimPath(claims, parseClaimPath(source));

describe("parseClaimPath", () => {
  it.each([
    ["permissions", ["permissions"], true],
    ["realm_access.roles", ["realm_access", "roles"], true],
    ["https://example.com/roles", ["https://example", "com/roles"], true],
    ["'https://example.com/a.b'", ["https://example.com/a.b"], false],
    ["resource_access.'my.app'.roles", ["resource_access", "my.app", "roles"], false],
    ["a..b", ["a..b"], true],
  ])("%s", (source, segments, literalFirst) => {
    expect(parseClaimPath(source)).toEqual({ source, segments, literalFirst });
  });

  it.each([
    ["'open", "a quote is not closed"],
    ["''", "a quoted name is empty"],
    ["a'b'", "a quote may only open a segment"],
    ["'a'b", "must be followed by a dot"],
    ["'a'.", "ends with a dot"],
    ["'a'..b", "a segment is empty"],
  ])("refuses %s", (source, reason) => {
    expect(() => parseClaimPath(source)).toThrow(ClaimPathSyntaxError);
    expect(() => parseClaimPath(source)).toThrow(reason);
  });
});

describe("resolveClaimPath", () => {
  const keycloak = {
    realm_access: { roles: ["admin"] },
    resource_access: { "my.app": { roles: ["editor"] } },
    "https://example.com/roles": ["ns-admin"],
    https: { "//example": { "com/roles": ["walked"] } },
    "a.b": "literal",
    a: { b: "nested" },
  };
  it("walks into objects", () => expect(resolve("realm_access.roles", keycloak)).toEqual(["admin"]));
  it("matches a top-level name literally first", () => {
    expect(resolve("https://example.com/roles", keycloak)).toEqual(["ns-admin"]);
    expect(resolve("a.b", keycloak)).toBe("literal");
  });
  it("walks when the whole name is not a top-level claim", () => expect(resolve("a.b", { a: { b: "nested" } })).toBe("nested"));
  it("quoted names are literal, inside paths too", () => {
    expect(resolve("'a.b'", { a: { b: "nested" } })).toBeUndefined();
    expect(resolve("'a.b'", keycloak)).toBe("literal");
    expect(resolve("resource_access.'my.app'.roles", keycloak)).toEqual(["editor"]);
  });
  it("never reads inherited properties, arrays by index or through non-objects", () => {
    expect(resolve("constructor", {})).toBeUndefined();
    expect(resolve("a.toString", { a: {} })).toBeUndefined();
    expect(resolve("a.0", { a: ["x"] })).toBeUndefined();
    expect(resolve("a.b", { a: "text" })).toBeUndefined();
    expect(resolve("a.b", { a: null })).toBeUndefined();
  });
  it("reads scope and scp strings as sets of words", () => {
    expect(resolve("scope", { scope: "openid  posts:read" })).toEqual(["openid", "posts:read"]);
    expect(resolve("scp", { scp: "User.Read posts:read" })).toEqual(["User.Read", "posts:read"]);
    expect(resolve("scope", { scope: ["a", "b"] })).toEqual(["a", "b"]);
    expect(resolve("x.scope", { x: { scope: "a b" } })).toBe("a b");
  });
});

describe("requirements with paths and scopes (interpreted and compiled agree)", () => {
  const cases: [string, Record<string, unknown>, boolean][] = [
    ["scope=posts:read", { scope: "openid posts:read" }, true],
    ["scope=posts", { scope: "openid posts:read" }, false],
    ["scope=posts:read|posts:write", { scope: "openid posts:write" }, true],
    ["scope", { scope: " " }, false],
    ["scope", { scope: "openid" }, true],
    ["realm_access.roles=admin", { realm_access: { roles: ["user", "admin"] } }, true],
    ["realm_access.roles=admin", { realm_access: { roles: ["user"] } }, false],
    ["realm_access.roles=admin", { "realm_access.roles": "admin" }, true],
    ["https://example.com/roles=admin", { "https://example.com/roles": ["admin"] }, true],
    ["'https://example.com/roles'=admin", { "https://example.com/roles": ["admin"] }, true],
    ["resource_access.'my.app'.roles=editor", { resource_access: { "my.app": { roles: ["editor"] } } }, true],
    ["org.id={id}", { org: { id: "o1" } }, true],
    ["realm_access", { realm_access: {} }, false],
    ["permissions=posts:read", { permissions: ["posts:read"] }, true],
  ];
  it.each(cases)("%s with %j is %s", (source, claims, expected) => {
    const requirement = parseClaimRequirement(source);
    expect(satisfiesRequirement(requirement, claims, { id: "o1" })).toBe(expected);
    expect(compilePredicate(requirement)(claims, { id: "o1" })).toBe(expected);
  });

  it("a malformed quoted name fails when the schema is built", () => {
    expect(() => parseClaimRequirement("'open=x")).toThrow(RequirementSyntaxError);
  });
});
