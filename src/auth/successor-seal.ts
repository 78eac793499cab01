import { createCipheriv, createDecipheriv, createHash } from "node:crypto";
import { poolRandomBytes } from "./random-pool.js";

/**
 * A rotated refresh token's successor, sealed with a key only the presented token yields
 * (AES-256-GCM under SHA-256 of it). Stored with the consumed token, it lets a client whose
 * refresh response was lost in transit retry within the grace period and receive the same
 * successor, without the successor ever being stored readable: opening it needs the very token
 * the client presented, whose hash alone is in the database.
 */
const keyOf = (presented: string) => createHash("sha256").update(`claimgate:successor:${presented}`).digest();

export function sealSuccessor(presented: string, successor: string): string {
  const iv = poolRandomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyOf(presented), iv);
  const body = Buffer.concat([cipher.update(successor, "utf8"), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
}

/** The successor, or null when the seal does not open with this token. */
export function openSuccessor(presented: string, sealed: string): string | null {
  try {
    const bytes = Buffer.from(sealed, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", keyOf(presented), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}
