import { describe, expect, it } from "vitest";
import { mapClaims, prepareExternalIssuer } from "../../src/auth/external-token.js";
import { RemoteKeySet } from "../../src/auth/remote-key-set.js";
import { ConfigError } from "../../src/config/config-error.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { loadConfig } from "../../src/config/load-config.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTrustedIssuers } from "../../src/config/trusted-issuers.js";

const parse = (value: unknown) => {
  const problems: string[] = [];
  const issuers = parseTrustedIssuers(JSON.stringify(value), "TRUSTED_ISSUERS", problems);
  return { issuers, problems };
};

describe("TRUSTED_ISSUERS", () => {
  it("fills defaults: RS256, at+jwt, no mapping, no linking, discovery", () => {
    const { issuers, problems } = parse([{ issuer: "https://idp.example.com/", audiences: ["api"] }]);
    expect(problems).toEqual([]);
    expect(issuers[0]).toEqual({
      issuer: "https://idp.example.com/",
      audiences: ["api"],
      audienceClaim: "aud",
      jwksUri: null,
      algorithms: ["RS256"],
      typ: ["at+jwt"],
      requiredClaims: [],
      claims: {},
      linkUsers: false,
      expandRoles: false,
    });
  });

  it("normalises typ and keeps null (a token without typ)", () => {
    const { issuers } = parse([{ issuer: "https://a", audiences: ["api"], typ: ["application/AT+JWT", "JWT", null] }]);
    expect(issuers[0]!.typ).toEqual(["at+jwt", "jwt", null]);
  });

  it("parses claim mappings: paths and {from, split}", () => {
    const { issuers, problems } = parse([
      { issuer: "https://a", audiences: ["api"], claims: { roles: "realm_access.roles", permissions: { from: "scope", split: " " } } },
    ]);
    expect(problems).toEqual([]);
    expect(issuers[0]!.claims).toEqual({ roles: { from: "realm_access.roles", split: null }, permissions: { from: "scope", split: " " } });
  });

  it("collects every problem, each naming its issuer", () => {
    const { problems } = parse([
      { issuer: "https://a", audiences: ["api"], audience: "x", jwks_uri: "y" },
      { issuer: "https://b", audiences: [], algorithms: ["HS256", "none"] },
      { audiences: ["api"] },
      { issuer: "urn:not-http", audiences: ["api"], typ: [], claims: { sub: "x", r: { from: "a", splitt: " " } }, linkUsers: "yes" },
      "not an object",
    ]);
    expect(problems).toEqual([
      "TRUSTED_ISSUERS[0] (https://a): unknown keys audience, jwks_uri (known: issuer, audiences, audienceClaim, jwksUri, algorithms, typ, requiredClaims, claims, linkUsers, expandRoles)",
      "TRUSTED_ISSUERS[1] (https://b): audiences is required: a non-empty list of the aud values this API accepts",
      expect.stringMatching(/^TRUSTED_ISSUERS\[1\] \(https:\/\/b\): algorithm HS256 is not accepted \(asymmetric only/),
      expect.stringMatching(/^TRUSTED_ISSUERS\[1\] \(https:\/\/b\): algorithm none is not accepted/),
      "TRUSTED_ISSUERS[2]: issuer is required: the exact iss of the provider's tokens",
      expect.stringMatching(/^TRUSTED_ISSUERS\[3\] \(urn:not-http\): jwksUri is required/),
      expect.stringMatching(/^TRUSTED_ISSUERS\[3\] \(urn:not-http\): typ must be/),
      expect.stringMatching(/claims cannot map "sub"/),
      expect.stringMatching(/claims\.r has unknown key splitt/),
      expect.stringMatching(/linkUsers must be true or false/),
      "TRUSTED_ISSUERS[4] must be an object with at least issuer and audiences",
    ]);
  });

  it("stops parseConfig, with duplicates and our own issuer refused", () => {
    expect(() => parseConfig({ TRUSTED_ISSUERS: "{" })).toThrow(/TRUSTED_ISSUERS is not valid JSON/);
    const twice = JSON.stringify([
      { issuer: "https://a", audiences: ["x"] },
      { issuer: "https://a", audiences: ["y"] },
    ]);
    expect(() => parseConfig({ TRUSTED_ISSUERS: twice })).toThrow(/lists the issuer "https:\/\/a" twice/);
    const ours = JSON.stringify([{ issuer: "https://me", audiences: ["x"] }]);
    expect(() => parseConfig({ TRUSTED_ISSUERS: ours, JWT_ISSUER: "https://me" })).toThrow(ConfigError);
  });

  it("TRUSTED_ISSUERS_FILE is read into TRUSTED_ISSUERS; both at once are refused", () => {
    const dir = mkdtempSync(join(tmpdir(), "claimgate-issuers-"));
    try {
      const file = join(dir, "issuers.json");
      writeFileSync(file, JSON.stringify([{ issuer: "https://idp.example.com", audiences: ["api"] }]));
      expect(loadConfig({ env: { TRUSTED_ISSUERS_FILE: file, TRUSTED_ISSUERS: "" } }).trustedIssuers.map((issuer) => issuer.issuer)).toEqual(["https://idp.example.com"]);
      expect(() => loadConfig({ env: { TRUSTED_ISSUERS_FILE: file, TRUSTED_ISSUERS: "[]" } })).toThrow(/either TRUSTED_ISSUERS or TRUSTED_ISSUERS_FILE/);
      expect(() => loadConfig({ env: { TRUSTED_ISSUERS_FILE: join(dir, "missing.json"), TRUSTED_ISSUERS: "" } })).toThrow(/cannot be read: ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads the remote key policy, with bounds checked", () => {
    expect(parseConfig({}).remoteKeys).toEqual({ timeoutSeconds: 3, cooldownSeconds: 30, minCacheSeconds: 60, maxCacheSeconds: 3600 });
    expect(() => parseConfig({ JWKS_MIN_CACHE: "2h", JWKS_MAX_CACHE: "1h" })).toThrow(/JWKS_MAX_CACHE must be at least JWKS_MIN_CACHE/);
  });
});

describe("mapClaims", () => {
  const issuer = (claims: Record<string, unknown>) => {
    const { issuers, problems } = parse([{ issuer: "https://a", audiences: ["api"], claims }]);
    expect(problems).toEqual([]);
    const keys = new RemoteKeySet({ issuer: "https://a", jwksUri: null, policy: parseConfig({}).remoteKeys, clock: () => new Date() });
    return prepareExternalIssuer(issuers[0]!, keys);
  };

  it("renames, copies, reaches into objects and splits", () => {
    const mapped = mapClaims(
      { sub: "u", realm_access: { roles: ["admin"] }, scp: "a b", "https://x.com/perms": ["p"] },
      issuer({ role: "realm_access.roles", scope: { from: "scp", split: " " }, permissions: "'https://x.com/perms'" }),
    );
    expect(mapped).toEqual({
      sub: "u",
      realm_access: { roles: ["admin"] },
      scp: "a b",
      "https://x.com/perms": ["p"],
      role: ["admin"],
      scope: ["a", "b"],
      permissions: ["p"],
    });
  });

  it("drops sid and cv unless mapped, and a mapped claim the token lacks", () => {
    expect(mapClaims({ sub: "u", sid: "s", cv: 9, roles: ["x"] }, issuer({ roles: "realm_access.roles" }))).toEqual({ sub: "u" });
    expect(mapClaims({ sub: "u", session_state: "s" }, issuer({ sid: "session_state" }))).toEqual({ sub: "u", session_state: "s", sid: "s" });
  });

  it("a bad path stops startup naming the issuer", () => {
    expect(() => issuer({ roles: "'open" })).toThrow(/TRUSTED_ISSUERS \(https:\/\/a\): claims\.roles: invalid claim path/);
  });
});
