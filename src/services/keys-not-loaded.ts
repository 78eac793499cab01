import type { KeyRing } from "../auth/signing-keys.js";

const notLoaded = (): never => {
  throw new Error("signing keys were not loaded: this process (a CLI command) signs and verifies no tokens");
};

/**
 * Stands in for the key ring where none is loaded (the CLI's account commands end sessions but
 * never sign a token): touching it is a bug, reported as such, instead of a key file read at
 * every command and a production setting demanded of commands that never use it.
 */
export const keysNotLoaded: KeyRing = Object.freeze({
  get active() {
    return notLoaded();
  },
  get byKid() {
    return notLoaded();
  },
  get algorithms() {
    return notLoaded();
  },
  get jwks() {
    return notLoaded();
  },
});
