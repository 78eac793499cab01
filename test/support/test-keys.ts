import { generateKeyPairSync, type KeyObject } from "node:crypto";

/** Fresh PEM key pairs for each asymmetric algorithm the ring supports. */
export function generatePemKeyPair(alg: "RS256" | "ES256" | "EdDSA"): { privateKey: string; publicKey: string } {
  const pair: { privateKey: KeyObject; publicKey: KeyObject } =
    alg === "RS256"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : alg === "ES256"
        ? generateKeyPairSync("ec", { namedCurve: "P-256" })
        : generateKeyPairSync("ed25519");
  return {
    privateKey: pair.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    publicKey: pair.publicKey.export({ type: "spki", format: "pem" }) as string,
  };
}
