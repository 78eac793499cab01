// verifyJwt as a hostile client sees it: thousands of seeded random mutations of valid tokens,
// each verified by ours and by jose's jwtVerify. Ours must never accept what jose refuses, never
// throw anything but jose's error classes (a TypeError only where jose throws one, for a key of
// the wrong kind), and refuse with jose's class, claim and reason, except where the module comment
// of jwt-verifier.ts documents that it is stricter. Then the known attacks one by one: keys made
// for another algorithm, signature malleability, wrong-length signatures, odd JSON.
import { constants, createHmac, generateKeyPairSync, KeyObject, randomBytes, sign as cryptoSign, webcrypto, type KeyPairKeyObjectResult } from "node:crypto";
import { importJWK, jwtVerify, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { EXTERNAL_ALGORITHMS } from "../../src/config/algorithm-keys.js";
import { verifyJwt, type VerificationKey, type VerifyJwtOptions } from "../../src/auth/jwt-verifier.js";
import { type Outcome, outcome } from "../support/jwt-outcome.js";

type CryptoKey = webcrypto.CryptoKey;
const NOW = new Date("2026-11-26T12:00:00Z");
const T = Math.floor(NOW.getTime() / 1000);
const ISSUER = "https://issuer.example";
const AUDIENCE = "claimgate";
/** Our own tokens: one key, one algorithm, every claim option claimgate uses. */
const OWN_OPTIONS = { typ: "at+jwt", issuer: ISSUER, audience: AUDIENCE, requiredClaims: ["sub", "exp", "iat", "jti"], clockTolerance: 5, currentDate: NOW, maxTokenAge: 3600 };
/** A trusted issuer's tokens: every asymmetric algorithm allowed, the key chosen by the header. */
const EXTERNAL_OPTIONS = { algorithms: [...EXTERNAL_ALGORITHMS], issuer: [ISSUER, "https://other.example"], audience: [AUDIENCE, "x"], requiredClaims: ["sub", "exp", "iat"], clockTolerance: 0, currentDate: NOW };
const HEADER = { alg: "", typ: "at+jwt", kid: "k1" };
const CLAIMS = { iss: ISSUER, aud: AUDIENCE, sub: "user-1", jti: "t-1", iat: T - 10, exp: T + 900, role: "admin" };
const ALGS = ["HS256", ...EXTERNAL_ALGORITHMS] as const;
const P256_ORDER = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
const ED25519_ORDER = (1n << 252n) + 27742317777372353535851937790883648493n;
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

interface AlgKeys {
  readonly sign: (input: string) => Buffer;
  /** Imported for exactly this algorithm, as the key ring and jose's JWKS resolver import keys. */
  readonly verify: CryptoKey;
}
const keys = new Map<string, AlgKeys>();

const b64 = (value: string | Buffer) => Buffer.from(value).toString("base64url");
const segment = (value: unknown) => b64(typeof value === "string" ? value : JSON.stringify(value));
/** Signs raw header and payload text (or bytes) with the private key of `alg`. */
function signed(alg: string, header: string | Buffer, payload: string | Buffer): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${b64(keys.get(alg)!.sign(input))}`;
}

beforeAll(async () => {
  const secret = randomBytes(48);
  const hmacKey = await webcrypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  keys.set("HS256", { sign: (input) => createHmac("sha256", secret).update(input).digest(), verify: hmacKey });
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pairs: Record<string, KeyPairKeyObjectResult> = {
    RSA: rsa,
    "P-256": generateKeyPairSync("ec", { namedCurve: "P-256" }),
    "P-384": generateKeyPairSync("ec", { namedCurve: "P-384" }),
    "P-521": generateKeyPairSync("ec", { namedCurve: "P-521" }),
    Ed25519: generateKeyPairSync("ed25519"),
  };
  for (const alg of EXTERNAL_ALGORITHMS) {
    const hash = `sha${alg.slice(2)}`;
    const pair = alg.startsWith("R") || alg.startsWith("P") ? pairs["RSA"]! : alg.startsWith("E") && alg !== "EdDSA" && alg !== "Ed25519" ? pairs[{ ES256: "P-256", ES384: "P-384", ES512: "P-521" }[alg as "ES256"]]! : pairs["Ed25519"]!;
    const sign = (input: string): Buffer =>
      alg.startsWith("RS")
        ? cryptoSign(hash, Buffer.from(input), pair.privateKey)
        : alg.startsWith("PS")
          ? cryptoSign(hash, Buffer.from(input), { key: pair.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST })
          : alg.startsWith("ES")
            ? cryptoSign(hash, Buffer.from(input), { key: pair.privateKey, dsaEncoding: "ieee-p1363" })
            : cryptoSign(null, Buffer.from(input), pair.privateKey);
    keys.set(alg, { sign, verify: (await importJWK(pair.publicKey.export({ format: "jwk" }) as JWK, alg)) as CryptoKey });
  }
}, 30_000);

/** Where jwt-verifier.ts says it is stricter than jose: a segment that is not unpadded base64url, a duplicate in crit. */
function documentedStrictness(token: string): boolean {
  if (typeof token !== "string") return false;
  const parts = token.split(".");
  if (parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part) || part.length % 4 === 1)) return true;
  try {
    const { crit } = JSON.parse(Buffer.from(parts[0]!, "base64url").toString()) as { crit?: unknown };
    return Array.isArray(crit) && new Set(crit).size !== crit.length;
  } catch {
    return false;
  }
}

/**
 * Verifies with both and checks the rules; returns both outcomes. `key` is a key or a resolver
 * (the resolver is called by each verifier, as jose calls key functions).
 */
async function compare(token: string, key: VerificationKey | ((header: { alg?: string }) => VerificationKey), options: VerifyJwtOptions) {
  const ours = await outcome(() => verifyJwt(token, key as VerificationKey, options));
  const theirs = await outcome(() => jwtVerify(token, key as never, { ...options, algorithms: [...options.algorithms] } as never));
  const verdict = (result: Outcome) => (result.ok ? "accepted" : `${result.error}${result.claim !== undefined ? ` ${String(result.claim)}/${String(result.reason)}` : ""}`);
  const shown = typeof token === "string" && token.length > 300 ? `${token.slice(0, 300)}…` : String(token);
  const context = `${shown}: ours ${verdict(ours)}, jose ${verdict(theirs)}`;
  if (ours.ok) {
    // The critical class: accepted by us, refused by jose.
    expect(theirs.ok, context).toBe(true);
    // The same claims and header (compared as text: a deeply nested claim would overflow a deep equality).
    expect(JSON.stringify(ours), context).toBe(JSON.stringify(theirs));
  } else {
    // A bad token is a verdict (a 401 upstream), never a crash (a 500): jose's classes only,
    // a TypeError only where jose also calls the key unusable.
    expect(ours.jose || (ours.error === "TypeError" && !theirs.ok && theirs.error === "TypeError"), context).toBe(true);
    if (!documentedStrictness(token)) expect(verdict(ours), context).toBe(verdict(theirs));
  }
  return { ours, theirs };
}

/** mulberry32: a small seeded generator, so a failing case is reproduced by its seed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}
type Random = ReturnType<typeof random>;

/** Values JSON.stringify cannot produce, spliced in as raw JSON text. */
const RAW = (text: string) => `\u0000RAW:${text}\u0000`;
/** A "__proto__" member as JSON.parse makes it: an own property (plain assignment would set the prototype). */
const setOwn = (target: Record<string, unknown>, name: string, value: unknown) =>
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
const rawJson = (value: unknown) => JSON.stringify(value).replace(/"\\u0000RAW:(.*?)\\u0000"/g, (_match, text: string) => JSON.parse(`"${text}"`) as string);

const ODD_VALUES: unknown[] = [RAW("1e309"), RAW("-1e309"), RAW("-0"), RAW("1e-400"), RAW("9007199254740993"), 0, -1, T, T + 0.5, "1e309", String(T + 900), null, true, [], {}, [T + 900], { valueOf: T }, "", "NaN"];
const HEADER_MUTATIONS: ((header: Record<string, unknown>, rng: Random) => void)[] = [
  (h, rng) => (h["alg"] = rng.pick([...ALGS, "none", "None", "hs256", "rs256", "HS384", "HS512", "ES256K", "RS1", "eddsa", "ED25519", "", "__proto__", "constructor", "toString", 1, null, ["HS256"], { alg: "HS256" }])),
  (h, rng) => (h["typ"] = rng.pick(["at+jwt", "AT+JWT", "application/at+jwt", "Application/At+Jwt", "JWT", "at+jwt ", "", "application/", 1, null, ["at+jwt"]])),
  (h, rng) => delete h[rng.pick(["typ", "alg", "kid"])],
  (h, rng) => (h["kid"] = rng.pick(["__proto__", "constructor", "toString", "../../etc/passwd", "\ud800", "k1\u0000", "", 1, null, { toString: "k1" }])),
  (h, rng) => {
    h["crit"] = rng.pick([["b64"], ["b64", "b64"], [], ["exp"], "b64", [1], [""], ["__proto__"], ["toString"], ["constructor"], null]);
    const b64Value = rng.pick([true, false, "true", 0, null, undefined]);
    if (b64Value !== undefined) h["b64"] = b64Value;
  },
  (h, rng) => (h["b64"] = rng.pick([true, false, "false"])),
  (h, rng) => (h[rng.pick(["jku", "jwk", "x5u", "x5c", "x5t", "cty", "zip", "enc", "iss"])] = rng.pick(["https://attacker.example/jwks", { kty: "oct", k: "AAAA" }, "DEF", ["x"]])),
  (h) => setOwn(h, "__proto__", RAW('{"alg":"none","typ":"at+jwt"}')),
];
const PAYLOAD_MUTATIONS: ((claims: Record<string, unknown>, rng: Random) => void)[] = [
  (c, rng) => (c[rng.pick(["exp", "iat", "nbf"])] = rng.pick(ODD_VALUES)),
  (c, rng) => (c[rng.pick(["exp", "iat", "nbf"])] = T + rng.pick([-7200, -3700, -3600, -3595, -900, -6, -5, -4, 0, 4, 5, 6, 900, 1e10])),
  (c, rng) => delete c[rng.pick(["iss", "aud", "sub", "jti", "exp", "iat"])],
  (c, rng) => (c["iss"] = rng.pick([ISSUER, `${ISSUER}/`, ISSUER.toUpperCase(), "https://other.example", [ISSUER], null, 1, ""])),
  (c, rng) => (c["aud"] = rng.pick([AUDIENCE, [AUDIENCE], ["x", AUDIENCE], [], ["y"], [1, AUDIENCE], { 0: AUDIENCE }, AUDIENCE.toUpperCase(), null, "x"])),
  (c, rng) => (c["sub"] = rng.pick(["", 1, null, ["u"], "\ud800", "user-1\u0000admin"])),
  (c, rng) => {
    const claim = rng.pick(["sub", "jti", "iat", "iss", "aud"]);
    const value = c[claim];
    delete c[claim];
    setOwn(c, "__proto__", RAW(JSON.stringify({ [claim]: value })));
  },
  (c, rng) => (c[rng.pick(["constructor", "hasOwnProperty", "toString", "valueOf"])] = rng.pick([RAW('{"prototype":{"admin":true}}'), "x", 1])),
];
/** Raw JSON texts a JSON object encoder would never write. */
function rawTextMutation(text: string, rng: Random): string | Buffer {
  switch (rng.int(9)) {
    case 0: // a duplicate key: the last one wins in JSON.parse, in both verifiers
      return text.replace(/^\{/, `{"${rng.pick(["exp", "iat", "alg", "typ", "sub", "crit"])}":${rng.pick(['"none"', "1", "null", '["b64"]'])},`);
    case 1: // a UTF-8 byte order mark
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    case 2: // a byte that is not UTF-8
      return Buffer.concat([Buffer.from(text.slice(0, -1)), Buffer.from([rng.pick([0xff, 0xc0, 0x80, 0xed])]), Buffer.from("}")]);
    case 3:
      return `${text}${rng.pick([" ", "\n", "x", "}", "{}", "\u0000"])}`;
    case 4:
      return rng.pick(["[]", "null", "1", '"x"', "true", "", "{", `[${text}]`, "{}"]);
    case 5: // deep nesting
      return text.replace(/\}$/, `,"deep":${"[".repeat(2000)}${"]".repeat(2000)}}`);
    case 6: // escaped keys: "\u0061lg" is "alg" to JSON.parse
      return text.replace(/"(alg|exp|sub|typ)"/, (_m, name: string) => `"\\u00${name.charCodeAt(0).toString(16)}${name.slice(1)}"`);
    case 7:
      return text.replace(/:(\d+)/, (_m, digits: string) => `:${rng.pick([`${digits}.0`, `${digits}e0`, `0${digits}`, `-${digits}`, `${digits}.000000000000000001`])}`);
    default:
      return `${" ".repeat(rng.int(3))}${text}`;
  }
}

/** One random hostile token derived from a valid token of `alg`. */
function mutant(alg: string, rng: Random): string {
  const header: Record<string, unknown> = { ...HEADER, alg };
  const claims: Record<string, unknown> = { ...CLAIMS };
  const valid = () => signed(alg, rawJson(header), rawJson(claims));
  switch (rng.int(6)) {
    case 0: {
      // Structure changed, then signed properly (with the alg the header names, or the original one).
      for (let n = 1 + rng.int(2); n > 0; n--) rng.pick(HEADER_MUTATIONS)(header, rng);
      for (let n = rng.int(3); n > 0; n--) rng.pick(PAYLOAD_MUTATIONS)(claims, rng);
      const signer = typeof header["alg"] === "string" && keys.has(header["alg"]) && rng.next() < 0.5 ? header["alg"] : alg;
      const headerText = rng.next() < 0.2 ? rawTextMutation(rawJson(header), rng) : rawJson(header);
      return signed(signer, headerText, rawJson(claims));
    }
    case 1: {
      for (let n = 1 + rng.int(3); n > 0; n--) rng.pick(PAYLOAD_MUTATIONS)(claims, rng);
      const payloadText = rng.next() < 0.3 ? rawTextMutation(rawJson(claims), rng) : rawJson(claims);
      return signed(alg, rawJson(header), payloadText);
    }
    case 2: {
      // Characters changed, inserted or removed anywhere in a valid token.
      let token = valid();
      for (let n = 1 + rng.int(3); n > 0; n--) {
        const at = rng.int(token.length + 1);
        const char = rng.next() < 0.8 ? rng.pick([...BASE64URL]) : rng.pick(["=", "==", " ", "+", "/", ".", "\t", "é", "\u0000", "%3D"]);
        const op = rng.int(3);
        token = token.slice(0, at) + (op === 2 ? "" : char) + token.slice(op === 0 ? at : at + 1);
      }
      return token;
    }
    case 3: {
      // The signature's bytes changed.
      const [h, p, s] = valid().split(".") as [string, string, string];
      return `${h}.${p}.${b64(mutateSignature(alg, Buffer.from(s, "base64url"), rng))}`;
    }
    case 4: {
      // Segments spliced from a token of another algorithm (header, payload or signature).
      const other = rng.pick(ALGS);
      const mine = valid().split(".");
      const theirs = signed(other, rawJson({ ...HEADER, alg: other }), rawJson(claims)).split(".");
      const from = rng.int(3);
      mine[from] = theirs[from]!;
      return mine.join(".");
    }
    default: {
      // Whole-token shapes: segments added, dropped, padded; a huge payload.
      const token = valid();
      const [h, p, s] = token.split(".") as [string, string, string];
      return rng.pick([
        `${token}.`,
        `${h}.${p}`,
        `${h}..${s}`,
        `.${p}.${s}`,
        `${h}=.${p}.${s}`,
        `${h}.${p}==.${s}`,
        `${h}.${p}.${s}=`,
        `${h}.${p}.${s}A`,
        ` ${token}`,
        `${token}\n`,
        signed(alg, rawJson(header), rawJson({ ...claims, pad: "x".repeat(200_000) })),
        `${h}.${p}.${s.slice(0, -1)}${BASE64URL[BASE64URL.indexOf(s.at(-1)!) ^ 1]}`,
      ]);
    }
  }
}

function mutateSignature(alg: string, signature: Buffer, rng: Random): Buffer {
  const copy = Buffer.from(signature);
  switch (rng.int(9)) {
    case 0:
      if (copy.length > 0) copy[rng.int(copy.length)]! ^= 1 << rng.int(8);
      return copy;
    case 1:
      return Buffer.concat([Buffer.alloc(1 + rng.int(2)), copy]);
    case 2:
      return copy.subarray(1 + rng.int(2));
    case 3:
      return Buffer.concat([copy, Buffer.alloc(1)]);
    case 4:
      return rng.pick([Buffer.alloc(0), Buffer.alloc(copy.length), Buffer.alloc(copy.length, 0xff), randomBytes(copy.length)]);
    case 5:
      return alg.startsWith("ES") ? derSignature(copy) : copy.subarray(0, copy.length >> 1);
    case 6:
      return alg === "ES256" ? highS(copy) : alg === "EdDSA" || alg === "Ed25519" ? sPlusL(copy) : copy;
    case 7: // r and s swapped, or the two halves
      return Buffer.concat([copy.subarray(copy.length >> 1), copy.subarray(0, copy.length >> 1)]);
    default:
      return Buffer.concat([copy, copy]);
  }
}

const bigFrom = (bytes: Buffer) => BigInt(`0x${bytes.toString("hex") || "0"}`);
const bytesOf = (value: bigint, length: number) => Buffer.from(value.toString(16).padStart(length * 2, "0"), "hex");
/** ECDSA's other valid s (n - s): the same signature, another encoding. */
function highS(signature: Buffer): Buffer {
  return Buffer.concat([signature.subarray(0, 32), bytesOf(P256_ORDER - bigFrom(signature.subarray(32)), 32)]);
}
/** Ed25519 with S + L: non-canonical, which RFC 8032 §5.1.7 says to refuse. */
function sPlusL(signature: Buffer): Buffer {
  const s = bigFrom(Buffer.from(signature.subarray(32)).reverse()) + ED25519_ORDER;
  return Buffer.concat([signature.subarray(0, 32), bytesOf(s, 32).reverse()]);
}
/** The same r and s, DER-encoded (what node:crypto signs by default). */
function derSignature(signature: Buffer): Buffer {
  const half = signature.length / 2;
  const integer = (bytes: Buffer) => {
    let body = bytes;
    while (body.length > 1 && body[0] === 0 && body[1]! < 0x80) body = body.subarray(1);
    if (body[0]! >= 0x80) body = Buffer.concat([Buffer.alloc(1), body]);
    return Buffer.concat([Buffer.from([0x02, body.length]), body]);
  };
  const content = Buffer.concat([integer(signature.subarray(0, half)), integer(signature.subarray(half))]);
  const length = content.length < 0x80 ? Buffer.from([content.length]) : Buffer.from([0x81, content.length]);
  return Buffer.concat([Buffer.from([0x30]), length, content]);
}

describe("verifyJwt against jose, fuzzed", () => {
  it("our tokens (one key, one algorithm): never accepts what jose refuses, refuses as jose does", async () => {
    const rng = random(0x5eed);
    let accepted = 0;
    let total = 0;
    for (const alg of ["HS256", "RS256", "PS256", "ES256", "ES512", "EdDSA"]) {
      const options = { algorithms: [alg], ...OWN_OPTIONS };
      for (let i = 0; i < 150; i++) {
        const { ours } = await compare(mutant(alg, rng), keys.get(alg)!.verify, options);
        total++;
        if (ours.ok) accepted++;
      }
    }
    // Not vacuous: some mutants stay valid (a claim that still passes, a BOM, a duplicate key), most do not.
    expect(accepted).toBeGreaterThan(total * 0.02);
    expect(accepted).toBeLessThan(total * 0.5);
  }, 20_000);

  it("a trusted issuer's tokens (every asymmetric algorithm, the key chosen by the header)", async () => {
    const rng = random(0xca11);
    const resolver = (header: { alg?: string }) => keys.get(header.alg!)!.verify;
    let accepted = 0;
    for (let i = 0; i < 400; i++) {
      const { ours } = await compare(mutant(rng.pick(EXTERNAL_ALGORITHMS), rng), resolver, EXTERNAL_OPTIONS);
      if (ours.ok) accepted++;
    }
    expect(accepted).toBeGreaterThan(10);
  }, 20_000);

  it("time claims on and around every boundary, with and without tolerance and a maximum age", async () => {
    const offsets = [-3606, -3605, -3604, -3601, -3600, -3599, -6, -5, -4, -1, -0.5, 0, 0.5, 1, 4, 5, 6];
    let checked = 0;
    for (const clockTolerance of [0, 5]) {
      for (const maxTokenAge of [undefined, 3600]) {
        const options = { algorithms: ["HS256"], ...OWN_OPTIONS, clockTolerance, ...(maxTokenAge === undefined ? { maxTokenAge: undefined, requiredClaims: ["sub"] } : { maxTokenAge }) };
        for (const claim of ["exp", "nbf", "iat"]) {
          for (const offset of offsets) {
            await compare(signed("HS256", JSON.stringify({ ...HEADER, alg: "HS256" }), JSON.stringify({ ...CLAIMS, [claim]: T + offset })), keys.get("HS256")!.verify, options);
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(4 * 3 * offsets.length);
  });
});

describe("verifyJwt against known attacks", () => {
  const own = (alg: string) => ({ algorithms: [alg], ...OWN_OPTIONS });
  const good = (alg: string) => signed(alg, JSON.stringify({ ...HEADER, alg }), JSON.stringify(CLAIMS));

  it("refuses a CryptoKey imported for another algorithm, hash, curve or usage (TypeError, as jose), instead of verifying with it", async () => {
    const rsaJwk = (await webcrypto.subtle.exportKey("jwk", keys.get("RS256")!.verify)) as JWK;
    const ecJwk = (await webcrypto.subtle.exportKey("jwk", keys.get("ES256")!.verify)) as JWK;
    const importAs = (jwk: JWK, algorithm: Parameters<typeof webcrypto.subtle.importKey>[2], usages: webcrypto.KeyUsage[]) =>
      webcrypto.subtle.importKey("jwk", jwk as webcrypto.JsonWebKey, algorithm, true, usages);
    const cases: [token: string, alg: string, key: CryptoKey][] = [
      // The RSA key the ring holds for RS256 used for a PS256 header, and the reverse.
      [good("PS256"), "PS256", keys.get("RS256")!.verify],
      [good("RS256"), "RS256", keys.get("PS256")!.verify],
      [good("RS512"), "RS512", keys.get("RS256")!.verify],
      [good("RS256"), "RS256", await importAs({ ...rsaJwk, alg: undefined, key_ops: undefined } as JWK, { name: "RSA-OAEP", hash: "SHA-256" }, ["encrypt"])],
      [good("ES256"), "ES256", await importAs({ ...ecJwk, key_ops: undefined } as JWK, { name: "ECDH", namedCurve: "P-256" }, [])],
      [good("ES256"), "ES256", await importAs({ ...ecJwk, key_ops: undefined } as JWK, { name: "ECDSA", namedCurve: "P-256" }, [])],
      [good("HS256"), "HS256", await webcrypto.subtle.importKey("raw", randomBytes(32), { name: "HMAC", hash: "SHA-512" }, false, ["verify"])],
    ];
    for (const [token, alg, key] of cases) {
      const { ours, theirs } = await compare(token, key, own(alg));
      expect({ alg, key: key.algorithm, ours }).toMatchObject({ ours: { ok: false, error: "TypeError" } });
      expect(theirs).toMatchObject({ ok: false, error: "TypeError" });
    }
  });

  it("never lets an RS256 header pass with a PSS signature, whatever kind of RSA key it is given", async () => {
    const pss = generateKeyPairSync("rsa-pss", { modulusLength: 2048 });
    const input = `${segment({ ...HEADER, alg: "RS256" })}.${segment(CLAIMS)}`;
    const signature = cryptoSign("sha256", Buffer.from(input), { key: pss.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    const token = `${input}.${b64(signature)}`;
    // An "rsa-pss" KeyObject defaults node:crypto's verify to PSS padding; jose refuses such keys.
    await expect(verifyJwt(token, pss.publicKey, own("RS256"))).rejects.toBeInstanceOf(TypeError);
    // A plain RSA key, as a CryptoKey or a KeyObject: PKCS#1 v1.5 is checked, so a PSS signature fails.
    const pssSigned = `${input}.${b64(keys.get("PS256")!.sign(input))}`;
    for (const key of [keys.get("RS256")!.verify, KeyObject.from(keys.get("RS256")!.verify)]) {
      expect((await compare(pssSigned, key, own("RS256"))).ours).toMatchObject({ ok: false, error: "JWSSignatureVerificationFailed" });
    }
  });

  it("signature malleability: what jose accepts (ECDSA's n - s, a base64url last character's spare bits) and what it refuses", async () => {
    const split = (token: string) => token.split(".") as [string, string, string];
    const withSignature = (token: string, signature: Buffer) => `${split(token)[0]}.${split(token)[1]}.${b64(signature)}`;
    const es = good("ES256");
    const esSignature = Buffer.from(split(es)[2], "base64url");
    // ECDSA is malleable by nature (RFC 7518 does not ask for low s); both accept, so the token's
    // string is never its identity (revocation goes by jti and sid).
    expect((await compare(withSignature(es, highS(esSignature)), keys.get("ES256")!.verify, own("ES256"))).ours).toMatchObject({ ok: true });
    expect((await compare(withSignature(es, derSignature(esSignature)), keys.get("ES256")!.verify, own("ES256"))).ours).toMatchObject({ ok: false, error: "JWSSignatureVerificationFailed" });
    const ed = good("EdDSA");
    expect((await compare(withSignature(ed, sPlusL(Buffer.from(split(ed)[2], "base64url"))), keys.get("EdDSA")!.verify, own("EdDSA"))).ours).toMatchObject({ ok: false, error: "JWSSignatureVerificationFailed" });
    // 32 HMAC bytes are 43 characters whose last holds 2 spare bits: 4 spellings of one signature.
    const hs = good("HS256");
    const [h, p, s] = split(hs);
    for (const spare of [1, 2, 3]) {
      const respelled = `${h}.${p}.${s.slice(0, -1)}${BASE64URL[BASE64URL.indexOf(s.at(-1)!) ^ spare]}`;
      expect((await compare(respelled, keys.get("HS256")!.verify, own("HS256"))).ours).toMatchObject({ ok: true });
    }
  });

  it("refuses RSA signatures one byte short or long, with or without the leading zero, and any length of HMAC", async () => {
    for (const alg of ["RS256", "PS256"]) {
      // A signature whose first byte is zero, so stripping it keeps its value.
      let token = "";
      for (let n = 0; !token; n++) {
        const candidate = signed(alg, JSON.stringify({ ...HEADER, alg, n }), JSON.stringify(CLAIMS));
        if (Buffer.from(candidate.split(".")[2]!, "base64url")[0] === 0) token = candidate;
      }
      const [h, p, s] = token.split(".") as [string, string, string];
      const signature = Buffer.from(s, "base64url");
      for (const variant of [signature.subarray(1), Buffer.concat([Buffer.alloc(1), signature]), Buffer.concat([signature, Buffer.alloc(1)])]) {
        const { ours, theirs } = await compare(`${h}.${p}.${b64(variant)}`, keys.get(alg)!.verify, own(alg));
        // jose (WebCrypto) decides; ours must say the same, and never accept alone.
        expect(ours).toEqual(theirs);
      }
    }
    const [h, p] = good("HS256").split(".");
    for (const length of [0, 1, 16, 31, 33, 48, 64, 4096]) {
      expect((await compare(`${h}.${p}.${b64(randomBytes(length))}`, keys.get("HS256")!.verify, own("HS256"))).ours).toMatchObject({ ok: false, error: "JWSSignatureVerificationFailed" });
    }
  });

  it("names algorithms exactly: another case, EdDSA for Ed25519, none, a list", async () => {
    for (const [alg, allowed] of [["hs256", "HS256"], ["Hs256", "HS256"], ["ES256 ", "ES256"], ["Ed25519", "EdDSA"], ["EdDSA", "Ed25519"], ["none", "HS256"], ["HS384", "HS256"]] as const) {
      const token = `${segment({ ...HEADER, alg })}.${segment(CLAIMS)}.${b64(keys.get(allowed)!.sign(`${segment({ ...HEADER, alg })}.${segment(CLAIMS)}`))}`;
      expect({ alg, ...(await compare(token, keys.get(allowed)!.verify, own(allowed))).ours }).toMatchObject({ alg, ok: false, error: "JOSEAlgNotAllowed" });
    }
  });

  it("reads claims as own JSON members: __proto__, constructor, duplicates, 1e309, -0", async () => {
    const payloads: [name: string, text: string, verdict: Partial<Outcome> & Record<string, unknown>][] = [
      ["sub only inside __proto__", rawJson({ ...CLAIMS, sub: undefined, ["__proto__"]: RAW('{"sub":"admin"}') }), { ok: false, error: "JWTClaimValidationFailed", claim: "sub", reason: "missing" }],
      ["exp only inside __proto__", rawJson({ ...CLAIMS, exp: undefined, ["__proto__"]: RAW(`{"exp":${T + 900}}`) }), { ok: false, error: "JWTClaimValidationFailed", claim: "exp", reason: "missing" }],
      ["a constructor claim", rawJson({ ...CLAIMS, constructor: RAW('{"prototype":{"admin":true}}') }), { ok: true }],
      ["exp 1e309 (Infinity)", rawJson({ ...CLAIMS, exp: RAW("1e309") }), { ok: true }],
      ["iat 1e309, in the future", rawJson({ ...CLAIMS, iat: RAW("1e309") }), { ok: false, error: "JWTClaimValidationFailed", claim: "iat" }],
      ["iat -1e309, too old", rawJson({ ...CLAIMS, iat: RAW("-1e309") }), { ok: false, error: "JWTExpired", claim: "iat" }],
      ["exp -0", rawJson({ ...CLAIMS, exp: RAW("-0") }), { ok: false, error: "JWTExpired", claim: "exp" }],
      ["exp duplicated, the expired one last", `{"exp":${T + 900},${JSON.stringify(CLAIMS).slice(1).replace(`"exp":${T + 900}`, `"exp":${T - 900}`)}`, { ok: false, error: "JWTExpired" }],
      ["a byte order mark", `\ufeff${JSON.stringify(CLAIMS)}`, { ok: true }],
    ];
    const alg = "HS256";
    for (const [name, text, verdict] of payloads) {
      const token = signed(alg, JSON.stringify({ ...HEADER, alg }), text);
      expect({ name, ...(await compare(token, keys.get(alg)!.verify, own(alg))).ours }).toMatchObject({ name, ...verdict });
    }
  });

  it("survives a megabyte payload and deeply nested JSON without a crash or a hang", async () => {
    const alg = "HS256";
    const started = performance.now();
    const huge = signed(alg, JSON.stringify({ ...HEADER, alg }), JSON.stringify({ ...CLAIMS, pad: "x".repeat(1 << 20) }));
    expect((await compare(huge, keys.get(alg)!.verify, own(alg))).ours).toMatchObject({ ok: true });
    // 100,000 levels: too deep to compare or print, so only the verdicts are compared here.
    const verdicts = async (token: string) => {
      const ours = await outcome(() => verifyJwt(token, keys.get(alg)!.verify, own(alg)));
      const theirs = await outcome(() => jwtVerify(token, keys.get(alg)!.verify, own(alg)));
      return [ours.ok || ours.error, theirs.ok || theirs.error];
    };
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect(await verdicts(signed(alg, `{"alg":"HS256","typ":"at+jwt","x":${deep}}`, JSON.stringify(CLAIMS)))).toEqual([true, true]);
    expect(await verdicts(signed(alg, JSON.stringify({ ...HEADER, alg }), JSON.stringify({ ...CLAIMS }).replace("{", `{"x":${deep},`)))).toEqual([true, true]);
    expect(await verdicts(signed(alg, `{"alg":"HS256","x":${"[".repeat(100_000)}}`, JSON.stringify(CLAIMS)))).toEqual(["JWSInvalid", "JWSInvalid"]);
    expect(await verdicts(`${b64(`{"alg":"HS256","x":${deep}}`)}.${segment(CLAIMS)}.${b64(randomBytes(32))}`)).toEqual(["JWSSignatureVerificationFailed", "JWSSignatureVerificationFailed"]);
    // Generous: a hang, not a speed, is what this looks for (speed lives in npm run bench).
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("refuses tokens that are not strings, as jose does", async () => {
    for (const token of [undefined, null, 1, {}, ["a.b.c"]]) {
      expect((await compare(token as never, keys.get("HS256")!.verify, own("HS256"))).ours).toMatchObject({ ok: false, error: "JWSInvalid" });
    }
  });
});
