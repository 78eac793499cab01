import type { DocumentStore } from "@apollo/server";
import type { DocumentNode } from "graphql";
import { documentTokenCount } from "./document-token-count.js";

export interface BoundedDocumentStoreOptions {
  /** At most this many lexical tokens (comments included) are kept in all. @default 100 000 (about 50 MB) */
  readonly maxTotalTokens?: number;
}

/**
 * Apollo Server's document store (the parsed and validated documents of the requests it
 * serves), bounded by what the documents really hold. Apollo's default store bounds 30 MiB as
 * measured by each document's JSON, which leaves out the lexer's tokens every document keeps
 * through its locations: padded with comments (which the parser's token limit does not count), a
 * text that GET or a long POST brings to Apollo costs megabytes while counting as a hundred
 * bytes, so a client could make it hold gigabytes. Least recently used first out.
 */
export class BoundedDocumentStore implements DocumentStore {
  readonly #entries = new Map<string, { readonly document: DocumentNode; readonly tokens: number }>();
  readonly #maxTotalTokens: number;
  #totalTokens = 0;

  constructor(options: BoundedDocumentStoreOptions = {}) {
    this.#maxTotalTokens = options.maxTotalTokens ?? 100_000;
  }

  /** Tokens the stored documents keep in all. */
  get heldTokens(): number {
    return this.#totalTokens;
  }

  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<DocumentNode | undefined> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.document;
  }

  async set(key: string, document: DocumentNode): Promise<void> {
    await this.delete(key);
    const tokens = documentTokenCount(document);
    // A document larger than the whole budget is used for its request, not kept.
    if (tokens > this.#maxTotalTokens) return;
    while (this.#entries.size > 0 && this.#totalTokens + tokens > this.#maxTotalTokens) {
      const [oldest, entry] = this.#entries.entries().next().value!;
      this.#entries.delete(oldest);
      this.#totalTokens -= entry.tokens;
    }
    this.#entries.set(key, { document, tokens });
    this.#totalTokens += tokens;
  }

  async delete(key: string): Promise<boolean> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#entries.delete(key);
    this.#totalTokens -= entry.tokens;
    return true;
  }
}
