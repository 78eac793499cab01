import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Development only: a signing secret generated on first start and kept in the data folder,
 * so tokens survive restarts without anyone committing a secret.
 */
export async function loadOrCreateDevelopmentSecret(dataDir: string): Promise<string> {
  const path = join(dataDir, "development-jwt-secret");
  const existing = await readFile(path, "utf8").catch(() => null);
  if (existing && existing.trim().length >= 43) return existing.trim();
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString("base64url");
  try {
    await writeFile(path, `${secret}\n`, { mode: 0o600, flag: "wx" });
    return secret;
  } catch (error) {
    // Another process created it first: use theirs, so both sign with the same key.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return (await readFile(path, "utf8")).trim();
    throw error;
  }
}
