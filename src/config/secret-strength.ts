import { Buffer } from "node:buffer";

export const MIN_SECRET_BYTES = 32;

const KNOWN_WEAK = ["secret", "password", "changeme", "change-me", "your-256-bit-secret", "jwt", "key", "test", "development"];

/**
 * Why an HMAC signing secret is too weak to use, or null when it is acceptable.
 * Length alone is not enough: "aaaa…" or a repeated word is 32 bytes of almost no entropy.
 */
export function weakSecretReason(secret: string): string | null {
  const bytes = Buffer.byteLength(secret, "utf8");
  if (bytes < MIN_SECRET_BYTES) return `it is ${bytes} bytes long; at least ${MIN_SECRET_BYTES} random bytes are required`;
  const lower = secret.toLowerCase();
  if (KNOWN_WEAK.some((word) => lower.replaceAll(word, "").length < MIN_SECRET_BYTES / 2)) {
    return "it is made of a well-known placeholder word";
  }
  if (new Set(secret).size < 12 || shannonBitsPerChar(secret) < 3) {
    return "it has too little variety to be random (use `openssl rand -base64 48`)";
  }
  return null;
}

function shannonBitsPerChar(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
