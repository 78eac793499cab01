import { badInput } from "./domain-error.js";

const MAX_EMAIL_LENGTH = 254;
// Deliberately plain: one @, no spaces, a dot in the domain. Deliverability is not our concern.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Trims and lower-cases an email, so "Alice@Example.com " and "alice@example.com" are one account. */
export function normaliseEmail(email: string): string {
  return email.trim().normalize("NFC").toLowerCase();
}

export function parseEmail(input: string): string {
  const email = normaliseEmail(input);
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) {
    throw badInput("INVALID_EMAIL", `"${email.slice(0, 64)}" is not an email address; write it as name@example.com.`, {
      field: "email",
    });
  }
  return email;
}
