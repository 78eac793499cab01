import { hash, parseOptions, verify } from "@node-rs/argon2";

/** OWASP's minimum for Argon2id: 19 MiB of memory, 2 passes, 1 lane. */
export const ARGON2ID_PARAMETERS = Object.freeze({
  algorithm: 2 /* Algorithm.Argon2id: a const enum, which isolated modules cannot inline */,
  memoryCost: 19 * 1024,
  timeCost: 2,
  parallelism: 1,
});

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID_PARAMETERS);
}

let verifications = 0;

/** Argon2id verifications this process has run (real and dummy), for /metrics: what throttling bounds. */
export function passwordVerificationCount(): number {
  return verifications;
}

/** Whether a stored value is a password hash at all ("!" marks an account that cannot log in with a password). */
export function isPasswordHash(storedHash: string): boolean {
  return storedHash.startsWith("$argon2");
}

/**
 * Constant-time comparison is Argon2's own; a malformed stored hash counts as a mismatch, after
 * the same Argon2 work as a real one, so its fast failure cannot be told apart by timing.
 */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  if (!isPasswordHash(storedHash)) return verifyAgainstDummyHash(password);
  verifications++;
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

/** Whether a stored hash was made with weaker settings than today's and should be replaced. */
export function needsRehash(storedHash: string): boolean {
  try {
    const options = parseOptions(storedHash);
    return (
      options.algorithm !== ARGON2ID_PARAMETERS.algorithm ||
      options.memoryCost < ARGON2ID_PARAMETERS.memoryCost ||
      options.timeCost < ARGON2ID_PARAMETERS.timeCost
    );
  } catch {
    return true;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies against a hash of a password nobody has, so a login for an unknown email
 * costs the same Argon2id time as a wrong password for a real one.
 */
export async function verifyAgainstDummyHash(password: string): Promise<false> {
  dummyHash ??= hashPassword(`no-such-user-${Math.random()}`);
  await verifyPassword(await dummyHash, password);
  return false;
}

/** A stored value that no password matches: accounts awaiting verification, and deleted ones. */
export const NO_PASSWORD = "!";
