import { badInput } from "./domain-error.js";

export const MIN_PASSWORD_LENGTH = 12;
/** Longer input is refused before hashing, so a megabyte "password" cannot tie up the server. */
export const MAX_PASSWORD_LENGTH = 128;

export function checkPasswordPolicy(password: string): void {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) {
    throw badInput(
      "PASSWORD_TOO_SHORT",
      `The password has ${length} characters; use at least ${MIN_PASSWORD_LENGTH} (a few words make a good one).`,
      { field: "password", minLength: MIN_PASSWORD_LENGTH },
    );
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw badInput("PASSWORD_TOO_LONG", `The password has ${length} characters; use at most ${MAX_PASSWORD_LENGTH}.`, {
      field: "password",
      maxLength: MAX_PASSWORD_LENGTH,
    });
  }
}
