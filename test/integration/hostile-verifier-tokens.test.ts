// Tokens aimed at the node:crypto verifier (src/auth/jwt-verifier.ts) over real HTTP: encodings
// jose tolerated, signature malleability, wrong-length signatures, algorithm names that differ only
// in case, keys chosen by odd kids, JSON that objects cannot hold. Whatever the token, the answer is
// 401 UNAUTHENTICATED with one of our messages: never a 500, never the token echoed back. Both
// key-selection paths run: a ring of several keys (kid chooses) and a ring of one (JWT_SECRET).
import { createHmac, createPrivateKey, createPublicKey, randomBytes, sign as cryptoSign } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { generatePemKeyPair } from "../support/test-keys.js";

const ISSUER = "https://auth.claimgate.test";
const AUDIENCE = "https://api.claimgate.test";
const RSA = generatePemKeyPair("RS256");
const EC = generatePemKeyPair("ES256");
const ED = generatePemKeyPair("EdDSA");
const HS_SECRET = randomBytes(48).toString("base64url");
const P256_ORDER = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
const ED25519_ORDER = (1n << 252n) + 27742317777372353535851937790883648493n;

let ring: TestServer;
let single: TestServer;
let bobId: string;
let singleKid: string;

beforeAll(async () => {
  [ring, single] = await Promise.all([
    startTestServer({
      JWT_SECRET: "",
      JWT_KEYS: JSON.stringify([
        { kid: "rs-1", alg: "RS256", privateKey: RSA.privateKey },
        { kid: "es-1", alg: "ES256", privateKey: EC.privateKey },
        { kid: "ed-1", alg: "EdDSA", privateKey: ED.privateKey },
        { kid: "hs-1", alg: "HS256", secret: HS_SECRET },
      ]),
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      CLOCK_TOLERANCE: "0s",
      MAX_TOKEN_AGE: "1h",
    }),
    startTestServer({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE }),
  ]);
  bobId = (await ring.login("bob@example.com", "bob-password-123")).user.id;
  const issued = await single.login("bob@example.com", "bob-password-123");
  singleKid = (JSON.parse(Buffer.from(issued.accessToken.split(".")[0]!, "base64url").toString()) as { kid: string }).kid;
});
afterAll(() => Promise.all([ring?.stop(), single?.stop()]));

const b64 = (value: string | Buffer) => Buffer.from(value).toString("base64url");
const now = () => Math.floor(ring.clock().getTime() / 1000);
const claims = (overrides: Record<string, unknown> = {}) => ({ iss: ISSUER, aud: AUDIENCE, sub: bobId, iat: now() - 10, exp: now() + 600, jti: "jti-1", sid: "sid-1", ...overrides });
/** JSON with raw number text (1e309, -0) where a value is `raw:…`. */
const json = (value: unknown) => JSON.stringify(value).replace(/"raw:([^"]*)"/g, "$1");

type Signer = (input: string) => Buffer;
const rs256: Signer = (input) => cryptoSign("sha256", Buffer.from(input), createPrivateKey(RSA.privateKey));
const es256: Signer = (input) => cryptoSign("sha256", Buffer.from(input), { key: createPrivateKey(EC.privateKey), dsaEncoding: "ieee-p1363" });
const es256Der: Signer = (input) => cryptoSign("sha256", Buffer.from(input), createPrivateKey(EC.privateKey));
const eddsa: Signer = (input) => cryptoSign(null, Buffer.from(input), createPrivateKey(ED.privateKey));
const hs256 = (key: string | Buffer): Signer => (input) => createHmac("sha256", key).update(input).digest();
const KID_SIGNERS: Record<string, [alg: string, signer: Signer]> = { "rs-1": ["RS256", rs256], "es-1": ["ES256", es256], "ed-1": ["EdDSA", eddsa], "hs-1": ["HS256", hs256(HS_SECRET)] };

/** A token from raw header and payload text, signed by `signer` (or given `signature` as is). */
function raw(headerText: string, payloadText: string, signer: Signer | null, mangle: (signature: Buffer) => Buffer = (s) => s): string {
  const input = `${b64(headerText)}.${b64(payloadText)}`;
  return `${input}.${signer ? b64(mangle(signer(input))) : ""}`;
}
/** A correctly signed token of a ring key, with header fields and claims overridden. */
const byKid = (kid: string, header: Record<string, unknown> = {}, body: Record<string, unknown> = {}, mangle?: (s: Buffer) => Buffer) =>
  raw(json({ alg: KID_SIGNERS[kid]![0], typ: "at+jwt", kid, ...header }), json(claims(body)), KID_SIGNERS[kid]![1], mangle);
const respell = (token: string, change: (parts: string[]) => string[]) => change(token.split(".")).join(".");

const highS = (s: Buffer) => Buffer.concat([s.subarray(0, 32), Buffer.from((P256_ORDER - BigInt(`0x${s.subarray(32).toString("hex")}`)).toString(16).padStart(64, "0"), "hex")]);
const sPlusL = (s: Buffer) => {
  const value = BigInt(`0x${Buffer.from(s.subarray(32)).reverse().toString("hex")}`) + ED25519_ORDER;
  return Buffer.concat([s.subarray(0, 32), Buffer.from(value.toString(16).padStart(64, "0"), "hex").reverse()]);
};
/** An RS256 token whose signature starts with a zero byte (so stripping it keeps the value). */
function rsWithLeadingZero(): string {
  for (let n = 0; ; n++) {
    const token = byKid("rs-1", { n });
    if (Buffer.from(token.split(".")[2]!, "base64url")[0] === 0) return token;
  }
}

const CASES: [name: string, make: () => string, reason?: "TOKEN_INVALID" | "TOKEN_EXPIRED"][] = [
  // Encodings jose on Node 20 tolerated; RFC 7515 asks for unpadded base64url.
  ["a padded signature", () => `${byKid("hs-1")}=`],
  ["a signature one character too long", () => `${byKid("hs-1")}A`],
  ["a signature in standard base64 (+ and /)", () => respell(byKid("es-1"), ([h, p, s]) => [h!, p!, `${s!.replaceAll("-", "+").replaceAll("_", "/")}+/`.slice(2)])],
  ["a payload in standard base64", () => respell(byKid("hs-1", {}, { pad: "\u00ff\u00fe?>" }), ([h, p, s]) => [h!, Buffer.from(p!, "base64url").toString("base64").replace(/=+$/, ""), s!])],
  ["a payload with a stray character", () => respell(byKid("rs-1"), ([h, p, s]) => [h!, `${p!.slice(0, 10)}~${p!.slice(10)}`, s!])],
  // Signatures: DER instead of r‖s, Ed25519's non-canonical S, RSA one byte off.
  ["ES256 signed in DER", () => raw(json({ alg: "ES256", typ: "at+jwt", kid: "es-1" }), json(claims()), es256Der)],
  ["EdDSA with S + L", () => byKid("ed-1", {}, {}, sPlusL)],
  ["RS256 with the leading zero byte stripped", () => respell(rsWithLeadingZero(), ([h, p, s]) => [h!, p!, b64(Buffer.from(s!, "base64url").subarray(1))])],
  ["RS256 with a zero byte prepended", () => byKid("rs-1", {}, {}, (s) => Buffer.concat([Buffer.alloc(1), s]))],
  ["RS256 with 512 bytes of signature", () => byKid("rs-1", {}, {}, (s) => Buffer.concat([s, s]))],
  ["ES256 high-S on a payload changed after signing", () => respell(byKid("es-1", {}, {}, highS), ([h, , s]) => [h!, b64(json(claims({ role: "admin" }))), s!])],
  ["HS256 signature truncated to 16 bytes", () => byKid("hs-1", {}, {}, (s) => s.subarray(0, 16))],
  // Algorithm names: only the exact name of the kid's algorithm.
  ["alg rs256", () => byKid("rs-1", { alg: "rs256" })],
  ["alg Es256", () => byKid("es-1", { alg: "Es256" })],
  ["alg Ed25519 for the EdDSA key", () => byKid("ed-1", { alg: "Ed25519" })],
  ["alg eddsa", () => byKid("ed-1", { alg: "eddsa" })],
  ["alg HS256 keyed with the ES256 public key", () => raw(json({ alg: "HS256", typ: "at+jwt", kid: "es-1" }), json(claims()), hs256(EC.publicKey))],
  ["alg HS256 keyed with the Ed25519 public key (DER)", () => raw(json({ alg: "HS256", typ: "at+jwt", kid: "ed-1" }), json(claims()), hs256(createPublicKey(ED.publicKey).export({ format: "der", type: "spki" })))],
  ["alg as a list", () => byKid("hs-1", { alg: ["HS256"] })],
  ["alg HS256 with the ES256 kid, signed with the HMAC secret", () => raw(json({ alg: "HS256", typ: "at+jwt", kid: "es-1" }), json(claims()), hs256(HS_SECRET))],
  // kids that are Object.prototype names.
  ["kid __proto__", () => byKid("rs-1", { kid: "__proto__" })],
  ["kid constructor", () => byKid("rs-1", { kid: "constructor" })],
  ["kid hasOwnProperty", () => byKid("hs-1", { kid: "hasOwnProperty" })],
  ["kid as an object", () => byKid("hs-1", { kid: { toString: "hs-1" } })],
  // JSON that objects cannot hold.
  ["a header whose own __proto__ says alg none", () => raw('{"__proto__":{"alg":"none"},"typ":"at+jwt","kid":"hs-1"}', json(claims()), null)],
  ["sub only inside the payload's __proto__", () => raw(json({ alg: "ES256", typ: "at+jwt", kid: "es-1" }), json(claims({ sub: undefined })).replace("{", `{"__proto__":{"sub":"${bobId}"},`), es256)],
  ["exp duplicated, the expired one last", () => raw(json({ alg: "HS256", typ: "at+jwt", kid: "hs-1" }), json(claims()).replace(/}$/, `,"exp":${now() - 60}}`), hs256(HS_SECRET)), "TOKEN_EXPIRED"],
  ["exp -0", () => byKid("ed-1", {}, { exp: "raw:-0" }), "TOKEN_EXPIRED"],
  ["exp as the string 1e309", () => byKid("hs-1", {}, { exp: "1e309" })],
  ["iat 1e309 (in the future)", () => byKid("es-1", {}, { iat: "raw:1e309" })],
  ["iat -1e309 (older than MAX_TOKEN_AGE)", () => byKid("rs-1", {}, { iat: "raw:-1e309" }), "TOKEN_EXPIRED"],
  ["cv 1e309", () => byKid("hs-1", {}, { cv: "raw:1e309" })],
  ["a header nested 3000 deep", () => raw(`{"alg":"HS256","typ":"at+jwt","kid":"hs-1","x":${"[".repeat(3000)}${"]".repeat(3000)}}`, json(claims()), null)],
  ["a header with unbalanced brackets", () => raw(`{"alg":"HS256","x":${"[".repeat(3000)}}`, json(claims()), hs256(HS_SECRET))],
  ["a payload that is a number", () => raw(json({ alg: "HS256", typ: "at+jwt", kid: "hs-1" }), "1e309", hs256(HS_SECRET))],
  ["crit naming b64 twice", () => byKid("hs-1", { crit: ["b64", "b64"], b64: true })],
  ["crit naming __proto__", () => byKid("hs-1", { crit: ["__proto__"] })],
  ["b64 as the string false", () => byKid("hs-1", { crit: ["b64"], b64: "false" })],
  ["b64 false with the payload unencoded", () => { const header = b64(json({ alg: "HS256", typ: "at+jwt", kid: "hs-1", crit: ["b64"], b64: false })); const input = `${header}.${json(claims())}`; return `${input}.${b64(hs256(HS_SECRET)(input))}`; }],
];

async function expectRefused(server: TestServer, hostile: string, reason: string) {
  const response = await server.gql("{ me { id } }", { headers: { authorization: `Bearer ${hostile}` } });
  const context = `${hostile.slice(0, 200)} → ${response.status} ${JSON.stringify(response.body.errors)}`;
  expect(response.status, context).toBe(401);
  expect(response.body.data, context).toBeNull();
  const error = response.body.errors![0]!;
  expect(error.extensions, context).toMatchObject({ code: "UNAUTHENTICATED", reason });
  expect(Object.keys(error.extensions!).sort(), context).not.toContain("stacktrace");
  expect(error.message, context).toMatch(/^The (access token|Authorization header) /);
  const echoed = [error.message, response.headers.get("www-authenticate") ?? ""].join(" ");
  // Long pieces only: an unencoded payload splits into words like "claimgate" that the challenge's realm names.
  for (const segment of hostile.split(".").filter((part) => part.length > 16)) expect(echoed).not.toContain(segment);
}

describe("hostile tokens against the verifier, over HTTP", () => {
  it("the ring's keys sign tokens it accepts (the cases are not vacuous)", async () => {
    for (const kid of Object.keys(KID_SIGNERS)) {
      expect((await ring.gql("{ me { id } }", { token: byKid(kid) })).body, kid).toEqual({ data: { me: { id: bobId } } });
    }
    // ECDSA's other s verifies, as it does in jose: the malleable encoding is why nothing keys on the token string alone.
    expect((await ring.gql("{ me { id } }", { token: byKid("es-1", {}, {}, highS) })).body).toEqual({ data: { me: { id: bobId } } });
  });

  it.each(CASES)("refuses %s with 401", async (_name, make, reason = "TOKEN_INVALID") => {
    await expectRefused(ring, make(), reason);
  });

  it("refuses them all at once, 50 concurrent requests of one token among them", async () => {
    const tokens = [...CASES.map(([, make]) => make()), ...Array.from({ length: 50 }, () => byKid("ed-1", {}, {}, sPlusL))];
    const statuses = await Promise.all(tokens.map(async (token) => (await ring.gql("{ me { id } }", { token })).status));
    expect(new Set(statuses)).toEqual(new Set([401]));
  });

  it("a ring of one key (JWT_SECRET) refuses the same shapes, kid and alg included", async () => {
    const secret = single.env["JWT_SECRET"]!;
    const sign = (header: Record<string, unknown>, body: Record<string, unknown> = {}, mangle: (s: Buffer) => Buffer = (s) => s) =>
      raw(json({ alg: "HS256", typ: "at+jwt", kid: singleKid, ...header }), json(claims({ sub: "someone", ...body })), hs256(secret), mangle);
    // The accepted shape first (its sub is nobody; me answers null, authenticated), then its variants.
    expect((await single.gql("{ me { id } }", { token: sign({}) })).status).not.toBe(401);
    for (const hostile of [
      sign({ kid: "__proto__" }),
      sign({ kid: undefined }),
      sign({ alg: "hs256" }),
      sign({ alg: "RS256" }),
      sign({ alg: "none" }),
      sign({ crit: ["b64", "b64"], b64: true }),
      sign({}, { exp: "raw:-0" }),
      sign({}, {}, (s) => s.subarray(1)),
      `${sign({})}=`,
      raw(json({ alg: "HS256", typ: "at+jwt", kid: singleKid }), json(claims()), hs256(RSA.publicKey)),
    ]) {
      const response = await single.gql("{ me { id } }", { headers: { authorization: `Bearer ${hostile}` } });
      expect(response.status, hostile).toBe(401);
      expect(response.body.errors![0]!.extensions).toMatchObject({ code: "UNAUTHENTICATED" });
    }
  });
});
