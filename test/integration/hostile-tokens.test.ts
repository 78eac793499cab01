// A corpus of hostile access tokens from the public JWT attack lists, each sent over real HTTP.
// Every one must be refused as UNAUTHENTICATED (or, for claim look-alikes, FORBIDDEN), with no
// 500, and without any part of the token echoed back.
import { createHmac, createPrivateKey, generateKeyPairSync, randomBytes, sign as cryptoSign } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateRefreshToken } from "../../src/auth/refresh-token.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { generatePemKeyPair } from "../support/test-keys.js";

const ISSUER = "https://auth.claimgate.test";
const AUDIENCE = "https://api.claimgate.test";
const RSA = generatePemKeyPair("RS256");
const HS_SECRET = randomBytes(48).toString("base64url");
const ATTACKER = generateKeyPairSync("ec", { namedCurve: "P-256" });

let t: TestServer;
let bobId: string;

beforeAll(async () => {
  t = await startTestServer({
    JWT_SECRET: "",
    JWT_KEYS: JSON.stringify([
      { kid: "rs-1", alg: "RS256", privateKey: RSA.privateKey },
      { kid: "hs-1", alg: "HS256", secret: HS_SECRET },
    ]),
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    CLOCK_TOLERANCE: "0s",
  });
  bobId = (await t.login("bob@example.com", "bob-password-123")).user.id;
});
afterAll(() => t.stop());

const b64 = (value: string | Buffer) => Buffer.from(value).toString("base64url");
const json = (value: unknown) => b64(JSON.stringify(value));
const nowSeconds = () => Math.floor(t.clock().getTime() / 1000);
const payload = (overrides: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: bobId,
  iat: nowSeconds() - 10,
  exp: nowSeconds() + 600,
  jti: "jti-1",
  sid: "sid-1",
  role: "user",
  permissions: ["posts:read"],
  ...overrides,
});
const rsHeader = (overrides: Record<string, unknown> = {}) => ({ alg: "RS256", typ: "at+jwt", kid: "rs-1", ...overrides });

type Signer = (input: string) => string;
const rs256: Signer = (input) => b64(cryptoSign("sha256", Buffer.from(input), createPrivateKey(RSA.privateKey)));
const hs256 = (key: string | Buffer): Signer => (input) => b64(createHmac("sha256", key).update(input).digest());
const es256Attacker: Signer = (input) => b64(cryptoSign("sha256", Buffer.from(input), { key: ATTACKER.privateKey, dsaEncoding: "ieee-p1363" }));

/** A compact JWS from raw header text, so malformed and duplicate-key headers can be sent. */
function jws(headerText: string, body: unknown, signer: Signer | null): string {
  const input = `${b64(headerText)}.${typeof body === "string" ? b64(body) : json(body)}`;
  return `${input}.${signer ? signer(input) : ""}`;
}
const token = (header: Record<string, unknown>, body: unknown, signer: Signer | null) => jws(JSON.stringify(header), body, signer);

const valid = () => token(rsHeader(), payload(), rs256);

const CORPUS: [name: string, make: () => string, reason: "TOKEN_INVALID" | "TOKEN_EXPIRED"][] = [
  ["alg none", () => token(rsHeader({ alg: "none" }), payload(), null), "TOKEN_INVALID"],
  ["alg None", () => token(rsHeader({ alg: "None" }), payload(), null), "TOKEN_INVALID"],
  ["alg NONE", () => token(rsHeader({ alg: "NONE" }), payload(), null), "TOKEN_INVALID"],
  ["alg nOnE", () => token(rsHeader({ alg: "nOnE" }), payload(), null), "TOKEN_INVALID"],
  ["alg none with a signature kept", () => `${token(rsHeader({ alg: "none" }), payload(), null)}${valid().split(".")[2]}`, "TOKEN_INVALID"],
  ["RS256→HS256 confusion keyed with the public PEM", () => token(rsHeader({ alg: "HS256" }), payload(), hs256(RSA.publicKey)), "TOKEN_INVALID"],
  ["RS256→HS256 confusion with the HS kid", () => token(rsHeader({ alg: "HS256", kid: "hs-1" }), payload(), hs256(RSA.publicKey)), "TOKEN_INVALID"],
  ["stripped signature", () => valid().split(".").slice(0, 2).join(".") + ".", "TOKEN_INVALID"],
  ["no signature segment", () => valid().split(".").slice(0, 2).join("."), "TOKEN_INVALID"],
  ["truncated signature", () => valid().slice(0, -10), "TOKEN_INVALID"],
  ["signature from another token", () => `${token(rsHeader(), payload({ role: "admin" }), null)}${valid().split(".")[2]}`, "TOKEN_INVALID"],
  ["payload tampered after signing", () => { const [h, , s] = valid().split("."); return `${h}.${json(payload({ role: "admin" }))}.${s}`; }, "TOKEN_INVALID"],
  ["signed by another RSA key", () => token(rsHeader(), payload(), (input) => b64(cryptoSign("sha256", Buffer.from(input), createPrivateKey(generatePemKeyPair("RS256").privateKey)))), "TOKEN_INVALID"],
  ["HS256 with an empty key", () => token(rsHeader({ alg: "HS256", kid: "hs-1" }), payload(), hs256(Buffer.alloc(0))), "TOKEN_INVALID"],
  ["HS256 with the weak secret 'secret'", () => token(rsHeader({ alg: "HS256", kid: "hs-1" }), payload(), hs256("secret")), "TOKEN_INVALID"],
  ["HS256 with the jwt.io secret", () => token(rsHeader({ alg: "HS256", kid: "hs-1" }), payload(), hs256("your-256-bit-secret")), "TOKEN_INVALID"],
  ["kid path traversal", () => token(rsHeader({ kid: "../../../../../../dev/null" }), payload(), hs256("")), "TOKEN_INVALID"],
  ["kid SQL injection", () => token(rsHeader({ kid: "' UNION SELECT 'key' --" }), payload(), hs256("key")), "TOKEN_INVALID"],
  ["unknown kid", () => token(rsHeader({ kid: "rs-2" }), payload(), rs256), "TOKEN_INVALID"],
  ["no kid", () => token(rsHeader({ kid: undefined }), payload(), rs256), "TOKEN_INVALID"],
  ["kid as a number", () => token(rsHeader({ kid: 1 }), payload(), rs256), "TOKEN_INVALID"],
  ["jku to an attacker's key set", () => token({ alg: "ES256", typ: "at+jwt", kid: "attacker", jku: "https://attacker.example/jwks.json" }, payload(), es256Attacker), "TOKEN_INVALID"],
  ["x5u to an attacker's certificate", () => token({ alg: "ES256", typ: "at+jwt", kid: "attacker", x5u: "https://attacker.example/cert.pem" }, payload(), es256Attacker), "TOKEN_INVALID"],
  ["embedded jwk of the attacker", () => token({ alg: "ES256", typ: "at+jwt", jwk: ATTACKER.publicKey.export({ format: "jwk" }) }, payload(), es256Attacker), "TOKEN_INVALID"],
  ["embedded jwk with our kid", () => token({ alg: "ES256", typ: "at+jwt", kid: "rs-1", jwk: ATTACKER.publicKey.export({ format: "jwk" }) }, payload(), es256Attacker), "TOKEN_INVALID"],
  ["crit with an unknown extension", () => token(rsHeader({ crit: ["exp"], exp: 1 }), payload(), rs256), "TOKEN_INVALID"],
  ["b64:false", () => token(rsHeader({ b64: false, crit: ["b64"] }), payload(), rs256), "TOKEN_INVALID"],
  ["typ JWT", () => token(rsHeader({ typ: "JWT" }), payload(), rs256), "TOKEN_INVALID"],
  ["typ missing", () => token(rsHeader({ typ: undefined }), payload(), rs256), "TOKEN_INVALID"],
  ["typ of a refresh token", () => token(rsHeader({ typ: "rt+jwt" }), payload(), rs256), "TOKEN_INVALID"],
  ["header that is not JSON", () => jws("not json", payload(), rs256), "TOKEN_INVALID"],
  ["header that is not UTF-8", () => `${b64(Buffer.from([0xff, 0xfe, 0x7b]))}.${json(payload())}.${rs256("x")}`, "TOKEN_INVALID"],
  ["payload that is not JSON", () => jws(JSON.stringify(rsHeader()), "{oops", rs256), "TOKEN_INVALID"],
  ["payload that is a JSON array", () => jws(JSON.stringify(rsHeader()), "[]", rs256), "TOKEN_INVALID"],
  ["duplicate header keys", () => jws('{"alg":"RS256","typ":"at+jwt","kid":"rs-1","alg":"none"}', payload(), null), "TOKEN_INVALID"],
  ["wrong iss", () => token(rsHeader(), payload({ iss: "https://evil.example" }), rs256), "TOKEN_INVALID"],
  ["iss with a trailing slash", () => token(rsHeader(), payload({ iss: `${ISSUER}/` }), rs256), "TOKEN_INVALID"],
  ["iss in another case", () => token(rsHeader(), payload({ iss: ISSUER.toUpperCase() }), rs256), "TOKEN_INVALID"],
  ["iss missing", () => token(rsHeader(), payload({ iss: undefined }), rs256), "TOKEN_INVALID"],
  ["wrong aud", () => token(rsHeader(), payload({ aud: "https://other.example" }), rs256), "TOKEN_INVALID"],
  ["aud with a trailing slash", () => token(rsHeader(), payload({ aud: `${AUDIENCE}/` }), rs256), "TOKEN_INVALID"],
  ["aud in another case", () => token(rsHeader(), payload({ aud: AUDIENCE.toUpperCase() }), rs256), "TOKEN_INVALID"],
  ["aud missing", () => token(rsHeader(), payload({ aud: undefined }), rs256), "TOKEN_INVALID"],
  ["exp missing", () => token(rsHeader(), payload({ exp: undefined }), rs256), "TOKEN_INVALID"],
  ["exp as a string", () => token(rsHeader(), payload({ exp: "9999999999" }), rs256), "TOKEN_INVALID"],
  ["exp equal to now", () => token(rsHeader(), payload({ exp: nowSeconds() }), rs256), "TOKEN_EXPIRED"],
  ["exp in the past", () => token(rsHeader(), payload({ exp: nowSeconds() - 1 }), rs256), "TOKEN_EXPIRED"],
  ["sub missing", () => token(rsHeader(), payload({ sub: undefined }), rs256), "TOKEN_INVALID"],
  ["sub empty", () => token(rsHeader(), payload({ sub: "" }), rs256), "TOKEN_INVALID"],
  ["jti missing", () => token(rsHeader(), payload({ jti: undefined }), rs256), "TOKEN_INVALID"],
  ["iat missing", () => token(rsHeader(), payload({ iat: undefined }), rs256), "TOKEN_INVALID"],
  ["iat in the future", () => token(rsHeader(), payload({ iat: nowSeconds() + 120 }), rs256), "TOKEN_INVALID"],
  ["nbf in the future", () => token(rsHeader(), payload({ nbf: nowSeconds() + 120 }), rs256), "TOKEN_INVALID"],
  ["a refresh token as bearer", () => generateRefreshToken(), "TOKEN_INVALID"],
  ["an empty string of dots", () => "..", "TOKEN_INVALID"],
  ["five segments (a JWE shape)", () => "a.b.c.d.e", "TOKEN_INVALID"],
];

describe("hostile access tokens", () => {
  it("the corpus is large enough to mean something", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(30);
  });

  it("a well-formed token signed by the server's key is accepted (the corpus is not vacuous)", async () => {
    const response = await t.gql("{ me { id } }", { token: valid() });
    expect(response.body).toEqual({ data: { me: { id: bobId } } });
  });

  it.each(CORPUS)("refuses %s", async (_name, make, reason) => {
    const hostile = make();
    const response = await t.gql("{ me { id } }", { headers: { authorization: `Bearer ${hostile}` } });
    expect(response.status).toBe(401);
    expect(response.body.data).toBeNull();
    const error = response.body.errors![0]!;
    expect(error.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason });
    const echoed = [error.message, response.headers.get("www-authenticate") ?? ""].join(" ");
    for (const segment of hostile.split(".").filter((part) => part.length > 8)) expect(echoed).not.toContain(segment);
  });

  it("refuses an oversized Authorization header before parsing it", async () => {
    const response = await t.gql("{ me { id } }", { headers: { authorization: `Bearer ${"a".repeat(9000)}` } });
    expect(response.status).toBe(401);
    expect(response.body.errors![0]!.extensions).toMatchObject({ reason: "TOKEN_INVALID" });
    expect(response.body.errors![0]!.message).toMatch(/longer than 8192 bytes/);
  });

  it.each([
    ["Admin", "Admin"],
    ["a zero-width space", "admin\u200b"],
    ["a Cyrillic а", "\u0430dmin"],
    ["a trailing space", "admin "],
    ["an array holding a look-alike", ["\u0430dmin"]],
  ])("a validly signed role claim with %s does not satisfy role=admin", async (_name, role) => {
    const response = await t.gql("{ users { id } }", { token: token(rsHeader(), payload({ role }), rs256) });
    expect(response.status).toBe(403);
    expect(response.body.errors![0]!.extensions).toMatchObject({ code: "FORBIDDEN", requiredClaims: ["role=admin"] });
  });
});
