/** Larger Authorization headers are refused before any parsing; our tokens are well under 2 KiB. */
export const MAX_AUTHORIZATION_HEADER_BYTES = 8192;

export type BearerCredential =
  | { readonly kind: "none" }
  | { readonly kind: "token"; readonly token: string }
  | { readonly kind: "malformed"; readonly message: string };

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** Reads `Authorization: Bearer <token>` (RFC 6750 §2.1). */
export function extractBearerToken(header: string | undefined): BearerCredential {
  if (header === undefined || header.trim() === "") return { kind: "none" };
  if (header.length > MAX_AUTHORIZATION_HEADER_BYTES) {
    return { kind: "malformed", message: `The Authorization header is longer than ${MAX_AUTHORIZATION_HEADER_BYTES} bytes.` };
  }
  const match = BEARER.exec(header);
  if (!match) {
    return { kind: "malformed", message: "The Authorization header must be `Bearer <accessToken>`." };
  }
  return { kind: "token", token: match[1]! };
}
