import type { DocumentNode } from "graphql";

/**
 * The lexical tokens a parsed document keeps through its locations: the lexer's whole chain,
 * comments included. Each costs about half a kilobyte of heap with the nodes around it, and
 * comments escape the parser's `maxTokens` (a 64 KiB text of comments kept 2.8 MB), so caches of
 * documents are bounded by this count rather than by entries or by the document's JSON size.
 */
export function documentTokenCount(document: DocumentNode): number {
  let count = 0;
  for (let token = document.loc?.startToken ?? null; token !== null; token = token.next) count++;
  return count;
}
