import { describe, expect, it } from "vitest";
import { expandExternalRoleClaims, expandRoleClaims } from "../../src/domain/role-claims.js";

const reader = { name: "reader", permissions: ["posts:read"], claims: {} };
const editor = { name: "editor", permissions: ["posts:read", "posts:edit"], claims: { team: "news", tier: "gold" } };

describe("expandRoleClaims", () => {
  it("leaves a user without roles as they are", () => {
    expect(expandRoleClaims({ permissions: ["x"] }, [])).toEqual({ permissions: ["x"] });
  });
  it("the first granted role is primary when the user has no role claim", () => {
    expect(expandRoleClaims({}, [reader, editor])).toEqual({
      role: "reader",
      roles: ["reader", "editor"],
      permissions: ["posts:read", "posts:edit"],
      team: "news",
      tier: "gold",
    });
  });
  it("the user's own role claim stays primary, own permissions come first, own claims win", () => {
    expect(expandRoleClaims({ role: "admin", permissions: ["users:manage"], tier: "silver" }, [editor])).toEqual({
      role: "admin",
      roles: ["admin", "editor"],
      permissions: ["users:manage", "posts:read", "posts:edit"],
      tier: "silver",
      team: "news",
    });
  });
  it("a role claim without a role row still lists it in roles", () => {
    expect(expandRoleClaims({ role: "user" }, [])).toEqual({ role: "user", roles: ["user"] });
  });
  it("a role's claims never set role, roles or permissions", () => {
    expect(expandRoleClaims({}, [{ name: "odd", permissions: [], claims: { roles: ["admin"], role: "admin" } }])).toEqual({ role: "odd", roles: ["odd"] });
  });
});

describe("expandExternalRoleClaims", () => {
  const lookup = (name: string) => ({ reader, editor })[name as "reader" | "editor"];
  it("adds the permissions and claims of roles that exist here, keeping the token's role and roles", () => {
    const claims = { sub: "x", role: ["editor", "elsewhere"], roles: ["reader"], permissions: ["own"], tier: "bronze" };
    expect(expandExternalRoleClaims(claims, lookup)).toEqual({ ...claims, permissions: ["own", "posts:read", "posts:edit"], team: "news" });
  });
  it("returns the same object when no named role exists here", () => {
    const claims = { sub: "x", roles: ["elsewhere"] };
    expect(expandExternalRoleClaims(claims, lookup)).toBe(claims);
  });
});
