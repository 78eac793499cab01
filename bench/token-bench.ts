// 2. Token to principal: cold (signature check) and warm (verified-token cache) for HS256, ES256
//    and EdDSA, next to one bare `jose` verification with a pre-imported key; and RS256 tokens of a
//    trusted issuer whose keys come from a remote JWKS (a local OpenID provider over HTTP).
import { randomBytes } from "node:crypto";
import { importJWK, jwtVerify } from "jose";
import { prepareExternalIssuer } from "../src/auth/external-token.js";
import { RemoteKeySet } from "../src/auth/remote-key-set.js";
import type { TrustedIssuer } from "../src/config/trusted-issuers.js";
import { startOidcProvider } from "../test/support/oidc-provider.js";
import { signAccessToken } from "../src/auth/access-token.js";
import { createAuthenticator } from "../src/auth/authenticate.js";
import { createHmacKeyRing, type KeyRing, loadKeyRing } from "../src/auth/signing-keys.js";
import { generatePemKeyPair } from "../test/support/test-keys.js";
import { median, table, timeAsync } from "./stats.js";

const tokens = { issuer: "urn:bench", audience: "urn:bench:api", accessTokenTtlSeconds: 3600, clockToleranceSeconds: 5 };

async function ring(alg: "HS256" | "ES256" | "EdDSA"): Promise<KeyRing> {
  if (alg === "HS256") return createHmacKeyRing(randomBytes(48).toString("base64url"));
  return loadKeyRing({ keys: [{ kid: alg, alg, privateKey: { inline: generatePemKeyPair(alg).privateKey }, publicKey: null }], activeKid: null });
}

export interface TokenResults {
  table: string;
  /** Per algorithm: µs for one jose verification, a cold and a warm header-to-principal. */
  byAlgorithm: Record<string, { jose: number; cold: number; warm: number }>;
  /** The first token of a remote-JWKS issuer: discovery, JWKS fetch over HTTP and verification (µs). */
  remoteFirstToken: number;
}

export async function benchTokens(options: { iterations: number; rounds: number }): Promise<TokenResults> {
  const rows: (string | number)[][] = [];
  const byAlgorithm: TokenResults["byAlgorithm"] = {};
  for (const alg of ["HS256", "ES256", "EdDSA"] as const) {
    const keys = await ring(alg);
    const mint = async () =>
      (await signAccessToken({ keys, tokens, subject: "u1", sessionId: "s1", claims: { role: "admin", permissions: ["posts:read"] }, now: new Date() })).token;
    const distinct = await Promise.all(Array.from({ length: options.iterations }, mint));
    const one = distinct[0]!;
    const headers = distinct.map((token) => `Bearer ${token}`);

    const cold = createAuthenticator({ verification: { keys, tokens }, cacheSize: 0 });
    const warm = createAuthenticator({ verification: { keys, tokens } });
    await warm.authenticate(`Bearer ${one}`);
    const key = keys.active.verificationKey;

    const samples = { jose: [] as number[], cold: [] as number[], warm: [] as number[] };
    for (let round = 0; round < options.rounds; round++) {
      let i = 0;
      // The same checks as ours, done by jose alone with the key already chosen.
      samples.jose.push(
        await timeAsync(options.iterations, () =>
          jwtVerify(distinct[i++ % distinct.length]!, key, {
            algorithms: [alg],
            typ: "at+jwt",
            issuer: tokens.issuer,
            audience: tokens.audience,
            requiredClaims: ["sub", "exp", "iat", "jti", "sid"],
            clockTolerance: tokens.clockToleranceSeconds,
          }),
        ),
      );
      i = 0;
      samples.cold.push(await timeAsync(options.iterations, () => cold.authenticate(headers[i++ % headers.length])));
      samples.warm.push(await timeAsync(options.iterations * 10, () => warm.authenticate(`Bearer ${one}`)));
    }
    byAlgorithm[alg] = { jose: median(samples.jose), cold: median(samples.cold), warm: median(samples.warm) };
    rows.push([alg, median(samples.jose), median(samples.cold), median(samples.warm)]);
  }
  const remote = await benchRemoteJwks(options);
  byAlgorithm["RS256 (remote JWKS)"] = remote.result;
  rows.push(["RS256, trusted issuer, remote JWKS (keys cached)", remote.result.jose, remote.result.cold, remote.result.warm]);
  const rendered =
    table(["algorithm", "one jose jwtVerify, same checks (µs)", "cold: header → principal, cache miss (µs)", "warm: header → principal, cache hit (µs)"], rows) +
    `\nFirst token of a remote-JWKS issuer (OIDC discovery + JWKS fetch over loopback HTTP + verification, once per process): ${(remote.firstToken / 1000).toFixed(1)} ms.\n`;
  return { table: rendered, byAlgorithm, remoteFirstToken: remote.firstToken };
}

/** RS256 tokens of a trusted issuer, keys from a local OpenID provider's JWKS (fetched once, then cached). */
async function benchRemoteJwks(options: { iterations: number; rounds: number }) {
  const provider = await startOidcProvider();
  try {
    const trusted: TrustedIssuer = {
      issuer: provider.issuer,
      audiences: ["claimgate-api"],
      audienceClaim: "aud",
      jwksUri: null,
      algorithms: ["RS256"],
      typ: ["at+jwt"],
      requiredClaims: [],
      claims: { permissions: { from: "scope", split: " " } },
      linkUsers: false,
      expandRoles: false,
    };
    const policy = { timeoutSeconds: 3, cooldownSeconds: 30, minCacheSeconds: 60, maxCacheSeconds: 3600 };
    const hmacRing = await createHmacKeyRing(randomBytes(48).toString("base64url"));
    const authenticatorFor = (cacheSize?: number) => {
      const keySet = new RemoteKeySet({ issuer: provider.issuer, jwksUri: null, policy, clock: () => new Date() });
      const externalIssuers = new Map([[provider.issuer, prepareExternalIssuer(trusted, keySet)]]);
      return createAuthenticator({ verification: { keys: hmacRing, tokens }, externalIssuers, ...(cacheSize === undefined ? {} : { cacheSize }) });
    };
    const distinct = await Promise.all(Array.from({ length: options.iterations }, () => provider.sign({ scope: "openid posts:read" }, { now: new Date(), ttlSeconds: 3600 })));
    const headers = distinct.map((token) => `Bearer ${token}`);

    const first = authenticatorFor();
    const started = process.hrtime.bigint();
    const principal = await first.authenticate(headers[0]);
    const firstToken = Number(process.hrtime.bigint() - started) / 1000;
    if (principal.claims === null) throw new Error(`remote JWKS bench: the token was refused: ${principal.error?.message}`);

    const cold = authenticatorFor(0);
    await cold.authenticate(headers[0]);
    const key = await importJWK(provider.keys[0]!.publicJwk, "RS256");
    const samples = { jose: [] as number[], cold: [] as number[], warm: [] as number[] };
    for (let round = 0; round < options.rounds; round++) {
      let i = 0;
      samples.jose.push(
        await timeAsync(options.iterations, () =>
          jwtVerify(distinct[i++ % distinct.length]!, key, {
            algorithms: ["RS256"],
            typ: "at+jwt",
            issuer: provider.issuer,
            audience: "claimgate-api",
            requiredClaims: ["sub", "exp", "iat"],
            clockTolerance: tokens.clockToleranceSeconds,
          }),
        ),
      );
      i = 0;
      samples.cold.push(await timeAsync(options.iterations, () => cold.authenticate(headers[i++ % headers.length])));
      samples.warm.push(await timeAsync(options.iterations * 10, () => first.authenticate(headers[0])));
    }
    return { result: { jose: median(samples.jose), cold: median(samples.cold), warm: median(samples.warm) }, firstToken };
  } finally {
    await provider.close();
  }
}
