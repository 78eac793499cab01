import type { Config } from "../config/config.js";
import { loadOrCreateDevelopmentSecret } from "./development-secret.js";
import { createHmacKeyRing, type KeyRing, loadKeyRing } from "./signing-keys.js";

/** The configured key ring or, in development without one, the generated secret in the data folder. */
export async function loadConfiguredKeyRing(config: Pick<Config, "tokens" | "dataDir">): Promise<KeyRing> {
  return config.tokens.keyRing
    ? loadKeyRing(config.tokens.keyRing)
    : createHmacKeyRing(await loadOrCreateDevelopmentSecret(config.dataDir));
}
