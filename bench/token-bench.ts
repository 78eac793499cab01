// 2. Token to principal: cold (signature check) and warm (verified-token cache) for HS256, ES256
//    and EdDSA, next to one bare `jose` verification with a pre-imported key.
import { randomBytes } from "node:crypto";
import { jwtVerify } from "jose";
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
  const rendered = table(["algorithm", "one jose jwtVerify, same checks (µs)", "cold: header → principal, cache miss (µs)", "warm: header → principal, cache hit (µs)"], rows);
  return { table: rendered, byAlgorithm };
}
