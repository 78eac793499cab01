import { randomUUID } from "node:crypto";
import { decodeProtectedHeader } from "jose";
import { verifyJwt } from "./jwt-verifier.js";
import { signJwt } from "./jwt-signer.js";
import type { KeyRing } from "./signing-keys.js";

/** Its own media type, so a device token is never an access token (those need `at+jwt`) nor the reverse. */
const DEVICE_TOKEN_TYPE = "device+jwt";

export interface DeviceTokenOptions {
  keys: KeyRing;
  issuer: string;
  ttlSeconds: number;
}

export interface DeviceIdentity {
  readonly userId: string;
  readonly deviceId: string;
}

/**
 * OWASP's device cookie: after a successful login the client receives a signed token naming the
 * account and a random device id. Presented at a later login for the same account, it swaps the
 * account-wide failure counter for that device's own, so strangers' guesses cannot lock the owner
 * out; the per-IP and per-pair limits still apply. It holds no secret and grants nothing by itself.
 */
export async function issueDeviceToken(options: DeviceTokenOptions & { identity: DeviceIdentity; now: Date }): Promise<string> {
  const issuedAt = Math.floor(options.now.getTime() / 1000);
  return signJwt(
    options.keys.active,
    { typ: DEVICE_TOKEN_TYPE, kid: options.keys.active.kid },
    {
      iss: options.issuer,
      aud: `${options.issuer}#device`,
      sub: options.identity.userId,
      jti: options.identity.deviceId,
      iat: issuedAt,
      exp: issuedAt + options.ttlSeconds,
    },
  );
}

export const newDeviceId = () => randomUUID();

/** The device a token names, or null for anything that does not verify (never an error: it only relaxes a limit). */
export async function verifyDeviceToken(token: string, options: DeviceTokenOptions & { now: Date }): Promise<DeviceIdentity | null> {
  if (token.length > 4096) return null;
  try {
    const { kid } = decodeProtectedHeader(token);
    const key = typeof kid === "string" ? options.keys.byKid.get(kid) : undefined;
    if (!key) return null;
    const { payload, protectedHeader } = await verifyJwt(token, key.verificationKey, {
      algorithms: [key.alg],
      typ: DEVICE_TOKEN_TYPE,
      issuer: options.issuer,
      audience: `${options.issuer}#device`,
      requiredClaims: ["sub", "jti", "exp"],
      currentDate: options.now,
    });
    if (protectedHeader.kid !== key.kid || typeof payload.sub !== "string" || typeof payload.jti !== "string") return null;
    return { userId: payload.sub, deviceId: payload.jti };
  } catch {
    return null;
  }
}
