import { badInput } from "./domain-error.js";

const MAX_EMAIL_LENGTH = 254;
// Deliberately plain: one @, no spaces, a dot in the domain. Deliverability is not our concern.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// Control characters, zero-width and joiner characters, bidi controls and other invisible format
// characters (Unicode category Cc and Cf): they make look-alike addresses.
const INVISIBLE = /[\p{Cc}\p{Cf}]/u;
/**
 * Top-level domains that can never receive mail (RFC 2606, RFC 6761). Refusing them keeps every
 * address a user can register apart from anything the server makes up for itself.
 */
const RESERVED_TLDS: ReadonlySet<string> = new Set(["invalid", "localhost", "test", "example", "local"]);

/**
 * Trims, applies Unicode compatibility normalisation (NFKC: full-width and other compatibility
 * forms become their plain letters) and lower-cases, so look-alike spellings are one account.
 */
export function normaliseEmail(email: string): string {
  return email.trim().normalize("NFKC").toLowerCase();
}

export function parseEmail(input: string): string {
  const email = normaliseEmail(input);
  if (INVISIBLE.test(email)) {
    throw badInput("INVALID_EMAIL", "The email address contains invisible or control characters; type it again by hand.", {
      field: "email",
    });
  }
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) {
    throw badInput("INVALID_EMAIL", `"${email.slice(0, 64)}" is not an email address; write it as name@example.com.`, {
      field: "email",
    });
  }
  const tld = email.slice(email.lastIndexOf(".") + 1);
  if (RESERVED_TLDS.has(tld)) {
    throw badInput("INVALID_EMAIL", `Addresses under .${tld} cannot receive mail, so they cannot have an account.`, { field: "email" });
  }
  return email;
}
