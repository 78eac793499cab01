import { badInput } from "./domain-error.js";

const MAX_EMAIL_LENGTH = 254;
// Deliberately plain: one @, no spaces, a dot in the domain. Deliverability is not our concern.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// Control characters, zero-width and joiner characters, bidi controls, variation selectors, fillers
// and every other character Unicode says may be ignored when shown (Cc, Cf, Default_Ignorable_Code_Point),
// plus the blank Braille pattern: they make look-alike addresses.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/u;
// Letters of scripts that share look-alike glyphs; one part of an address may use only one of them
// (UTS #39's idea of mixed-script confusables, for the scripts that matter most): "bоb" with a
// Cyrillic о is refused, an all-Cyrillic address is fine.
const CONFUSABLE_SCRIPTS = [/\p{Script=Latin}/u, /\p{Script=Cyrillic}/u, /\p{Script=Greek}/u, /\p{Script=Armenian}/u, /\p{Script=Cherokee}/u];
const mixesScripts = (part: string) => CONFUSABLE_SCRIPTS.filter((script) => script.test(part)).length > 1;
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
  const [local = "", domain = ""] = email.split("@");
  if (domain.split(".").some((label) => label === "")) {
    throw badInput("INVALID_EMAIL", "The domain of the email address has an empty part (two dots in a row, or a dot at either end).", {
      field: "email",
    });
  }
  if (mixesScripts(local) || mixesScripts(domain)) {
    throw badInput("INVALID_EMAIL", "The email address mixes letters of different alphabets (such as Latin and Cyrillic); type it again by hand.", {
      field: "email",
    });
  }
  const tld = domain.slice(domain.lastIndexOf(".") + 1);
  if (RESERVED_TLDS.has(tld)) {
    throw badInput("INVALID_EMAIL", `Addresses under .${tld} cannot receive mail, so they cannot have an account.`, { field: "email" });
  }
  return email;
}
