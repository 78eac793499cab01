import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";

type Key = { kid: string; privateKey: CryptoKey; publicJwk: JWK };

export interface SignOptions {
  /** @default the provider's issuer */
  iss?: string;
  /** null: no aud claim (Cognito access tokens carry client_id instead). */
  aud?: string | string[] | null;
  sub?: string;
  /** @default "at+jwt" */
  typ?: string | null;
  /** @default the provider's newest key */
  key?: Key;
  /** Header kid; @default the key's kid */
  kid?: string;
  /** @default 300 */
  ttlSeconds?: number;
  /** Further protected header parameters (jwk, jku, …). */
  header?: Record<string, unknown>;
  /** The instant to sign at (the server's test clock). */
  now: Date;
}

/**
 * A small OpenID provider on 127.0.0.1 for tests: discovery, a JWKS endpoint that counts its
 * requests, RS256 signing with rotating keys, and an outage switch.
 */
export interface TestOidcProvider {
  readonly issuer: string;
  readonly jwksUri: string;
  /** Requests the JWKS endpoint answered (or refused while down). */
  readonly jwksRequests: number;
  readonly discoveryRequests: number;
  readonly keys: readonly Key[];
  /** While true, discovery and JWKS answer 503. */
  down: boolean;
  /** While true, discovery and JWKS never answer (the connection stays open). */
  hang: boolean;
  /** Cache-Control sent with the JWKS. */
  cacheControl: string;
  /** Adds a new key (signing from now on); with `retire`, the older keys disappear from the JWKS. */
  rotate(options?: { retire?: boolean }): Promise<Key>;
  sign(claims: JWTPayload, options: SignOptions): Promise<string>;
  close(): Promise<void>;
}

export async function newRsaKey(kid: string = randomUUID()): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

export async function startOidcProvider(options: { path?: string } = {}): Promise<TestOidcProvider> {
  const keys: Key[] = [await newRsaKey()];
  let jwksRequests = 0;
  let discoveryRequests = 0;
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
    };
    if (provider.hang) return;
    if (req.url === `${base}/.well-known/openid-configuration`) {
      discoveryRequests++;
      if (provider.down) return send(503, { error: "down" });
      return send(200, { issuer, jwks_uri: jwksUri, id_token_signing_alg_values_supported: ["RS256"] });
    }
    if (req.url === `${base}/jwks`) {
      jwksRequests++;
      if (provider.down) return send(503, { error: "down" });
      return send(200, { keys: keys.map((key) => key.publicJwk) }, { "cache-control": provider.cacheControl });
    }
    send(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = options.path ?? "/realms/test";
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}${base}`;
  const jwksUri = `${issuer}/jwks`;

  const provider: TestOidcProvider = {
    issuer,
    jwksUri,
    get jwksRequests() {
      return jwksRequests;
    },
    get discoveryRequests() {
      return discoveryRequests;
    },
    keys,
    down: false,
    hang: false,
    cacheControl: "public, max-age=120",
    async rotate(rotateOptions = {}) {
      const key = await newRsaKey();
      if (rotateOptions.retire) keys.splice(0, keys.length);
      keys.push(key);
      return key;
    },
    async sign(claims, signOptions) {
      const key = signOptions.key ?? keys[keys.length - 1]!;
      const iat = Math.floor(signOptions.now.getTime() / 1000);
      const header: Record<string, unknown> = { alg: "RS256", kid: signOptions.kid ?? key.kid, ...signOptions.header };
      if (signOptions.typ !== null) header["typ"] = signOptions.typ ?? "at+jwt";
      const jwt = new SignJWT({ jti: randomUUID(), ...claims }).setProtectedHeader(header as { alg: string }).setIssuer(signOptions.iss ?? issuer);
      if (signOptions.aud !== null) jwt.setAudience(signOptions.aud ?? "claimgate-api");
      return jwt
        .setSubject(signOptions.sub ?? "provider-user-1")
        .setIssuedAt(iat)
        .setExpirationTime(iat + (signOptions.ttlSeconds ?? 300))
        .sign(key.privateKey);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return provider;
}
