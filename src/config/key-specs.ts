import { ALGORITHM_KEYS, isKeyAlgorithm, KEY_ALGORITHMS, type KeyAlgorithm } from "./algorithm-keys.js";
import { weakSecretReason } from "./secret-strength.js";

/** Key material given inline (PEM, JWK JSON or, for HS256, the secret) or as a file path. */
export type KeyMaterial = { readonly inline: string } | { readonly file: string };

/** One key of the ring, as configured; loading and importing it is auth/'s job. */
export interface KeySpec {
  /** Key id carried in every token the key signs; derived from the key when not given. */
  readonly kid: string | null;
  readonly alg: KeyAlgorithm;
  /** A secret-key algorithm (HS256): the shared secret. The others: the private key (PKCS#8 PEM or JWK). */
  readonly privateKey: KeyMaterial | null;
  /** Verification-only asymmetric keys: the public key (SPKI PEM or JWK). */
  readonly publicKey: KeyMaterial | null;
}

export interface KeyRingConfig {
  readonly keys: readonly KeySpec[];
  /** kid of the signing key; null means the first key that has private material. */
  readonly activeKid: string | null;
}

const FIELDS = new Set(["kid", "alg", "secret", "secretFile", "privateKey", "privateKeyFile", "publicKey", "publicKeyFile"]);

/**
 * Parses JWT_KEYS: a JSON array such as
 *   [{"kid":"2026-11","alg":"ES256","privateKeyFile":"/run/secrets/jwt-es256.pem"},
 *    {"kid":"2026-05","alg":"ES256","publicKeyFile":"/run/secrets/jwt-es256-old.pub.pem"}]
 * Problems are appended to `problems`, each naming the entry.
 */
export function parseKeySpecs(json: string, source: string, problems: string[]): KeySpec[] {
  let entries: unknown;
  try {
    entries = JSON.parse(json);
  } catch {
    problems.push(`${source} must be a JSON array of keys (it is not valid JSON)`);
    return [];
  }
  if (!Array.isArray(entries) || entries.length === 0) {
    problems.push(`${source} must be a non-empty JSON array of keys`);
    return [];
  }
  const specs: KeySpec[] = [];
  entries.forEach((entry: unknown, index) => {
    const where = `${source}[${index}]`;
    if (typeof entry !== "object" || entry === null) {
      problems.push(`${where} must be an object with "alg" and a key`);
      return;
    }
    const record = entry as Record<string, unknown>;
    const unknown = Object.keys(record).filter((name) => !FIELDS.has(name));
    if (unknown.length > 0) problems.push(`${where} has unknown fields: ${unknown.join(", ")} (allowed: ${[...FIELDS].join(", ")})`);
    const alg = record["alg"];
    if (!isKeyAlgorithm(alg)) {
      problems.push(`${where}.alg must be one of ${KEY_ALGORITHMS.join(", ")}`);
      return;
    }
    const kid = record["kid"];
    if (kid !== undefined && (typeof kid !== "string" || !/^[A-Za-z0-9._-]{1,64}$/.test(kid))) {
      problems.push(`${where}.kid must be 1 to 64 letters, digits, '.', '_' or '-'`);
      return;
    }
    const material = (inlineName: string, fileName: string): KeyMaterial | null => {
      const inline = record[inlineName];
      const file = record[fileName];
      if (inline !== undefined && file !== undefined) problems.push(`${where} has both ${inlineName} and ${fileName}; keep one`);
      if (inline !== undefined) {
        const text = typeof inline === "string" ? inline : JSON.stringify(inline);
        return { inline: text };
      }
      if (typeof file === "string" && file !== "") return { file };
      if (file !== undefined) problems.push(`${where}.${fileName} must be a file path`);
      return null;
    };
    let privateKey: KeyMaterial | null;
    let publicKey: KeyMaterial | null = null;
    if (ALGORITHM_KEYS[alg].kty === "oct") {
      privateKey = material("secret", "secretFile");
      if (!privateKey) problems.push(`${where}: an ${alg} key needs "secret" or "secretFile"`);
      else if ("inline" in privateKey) {
        const weakness = weakSecretReason(privateKey.inline);
        if (weakness) problems.push(`${where}.secret is too weak: ${weakness}`);
      }
    } else {
      privateKey = material("privateKey", "privateKeyFile");
      publicKey = material("publicKey", "publicKeyFile");
      if (!privateKey && !publicKey) problems.push(`${where}: an ${alg} key needs privateKey(File) or, to verify only, publicKey(File)`);
    }
    specs.push({ kid: (kid as string | undefined) ?? null, alg, privateKey, publicKey });
  });
  const kids = specs.map((spec) => spec.kid).filter((kid) => kid !== null);
  const duplicates = kids.filter((kid, index) => kids.indexOf(kid) !== index);
  if (duplicates.length > 0) problems.push(`${source} repeats kid ${[...new Set(duplicates)].join(", ")}; each key needs its own`);
  return specs;
}
