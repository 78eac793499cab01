import { hash } from "node:crypto";
import { type DocumentNode, type ParseOptions, parse, specifiedRules, validate, type GraphQLSchema, type ValidationRule } from "graphql";
import { documentTokenCount } from "./document-token-count.js";

export interface PreparedDocument {
  readonly document: DocumentNode;
  /** SHA-256 of the query text, hex: what Apollo Server puts in `requestContext.queryHash`. */
  readonly queryHash: string;
}

export interface PreparedDocumentsOptions {
  readonly schema: GraphQLSchema;
  /** The rules Apollo Server is given (`validationRules`); graphql's specified rules run first, as there. */
  readonly validationRules: readonly ValidationRule[];
  readonly parseOptions: ParseOptions;
  /** At most this many distinct query texts are remembered. @default 1000 */
  readonly maxEntries?: number;
  /** Query texts longer than this are not remembered (nor prepared). @default 64 KiB */
  readonly maxQueryLength?: number;
  /** At most this many characters of query text are remembered in all. @default 4 Mi */
  readonly maxTotalLength?: number;
  /**
   * At most this many lexical tokens (comments included) are kept in all: a parsed document
   * keeps each of its tokens, about half a kilobyte each with the nodes around it, so 1000
   * entries of 1000 tokens would hold half a gigabyte. @default 100 000 (about 50 MB)
   */
  readonly maxTotalTokens?: number;
}

interface Entry {
  readonly prepared: PreparedDocument | null;
  /** Tokens the parsed document keeps (0 for a text that did not prepare). */
  readonly tokens: number;
}

/**
 * Query texts parsed and validated once, against the same schema, parse options and rules as
 * Apollo Server's own document store, so that a document found here is one Apollo would execute.
 * A text that fails to parse or validate is remembered as `null`: such requests go to Apollo,
 * which answers them with its errors. Bounded in entries, characters and tokens: the least
 * recently used text leaves first, so a client sending endless distinct texts, however large,
 * costs memory no larger than the bounds.
 */
export class PreparedDocuments {
  readonly #entries = new Map<string, Entry>();
  readonly #rules: readonly ValidationRule[];
  readonly #maxEntries: number;
  readonly #maxQueryLength: number;
  readonly #maxTotalLength: number;
  readonly #maxTotalTokens: number;
  #totalLength = 0;
  #totalTokens = 0;

  constructor(private readonly options: PreparedDocumentsOptions) {
    this.#rules = [...specifiedRules, ...options.validationRules];
    this.#maxEntries = options.maxEntries ?? 1000;
    this.#maxQueryLength = options.maxQueryLength ?? 64 * 1024;
    this.#maxTotalLength = options.maxTotalLength ?? 4 * 1024 * 1024;
    this.#maxTotalTokens = options.maxTotalTokens ?? 100_000;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** What the remembered texts hold in all: their characters and their parsed documents' tokens. */
  get held(): { readonly length: number; readonly tokens: number } {
    return { length: this.#totalLength, tokens: this.#totalTokens };
  }

  /** Whether `query` is remembered, prepared or not: if not, the next `get` parses and validates it. */
  has(query: string): boolean {
    return this.#entries.has(query);
  }

  /** The document of `query` if it parses and validates; null otherwise. */
  get(query: string): PreparedDocument | null {
    const known = this.#entries.get(query);
    if (known !== undefined) {
      // Most recently used last: Map keeps insertion order, so eviction takes the first key.
      this.#entries.delete(query);
      this.#entries.set(query, known);
      return known.prepared;
    }
    if (query.length > this.#maxQueryLength) return null;
    const entry = this.#prepare(query);
    // One text larger than a whole budget is answered, not remembered.
    if (query.length > this.#maxTotalLength || entry.tokens > this.#maxTotalTokens) return entry.prepared;
    while (
      this.#entries.size > 0 &&
      (this.#entries.size >= this.#maxEntries || this.#totalLength + query.length > this.#maxTotalLength || this.#totalTokens + entry.tokens > this.#maxTotalTokens)
    ) {
      this.#evictOldest();
    }
    this.#entries.set(query, entry);
    this.#totalLength += query.length;
    this.#totalTokens += entry.tokens;
    return entry.prepared;
  }

  #evictOldest(): void {
    const [query, entry] = this.#entries.entries().next().value!;
    this.#entries.delete(query);
    this.#totalLength -= query.length;
    this.#totalTokens -= entry.tokens;
  }

  #prepare(query: string): Entry {
    let document: DocumentNode;
    try {
      document = parse(query, this.options.parseOptions);
    } catch {
      return { prepared: null, tokens: 0 };
    }
    if (validate(this.options.schema, document, this.#rules).length > 0) return { prepared: null, tokens: 0 };
    return { prepared: { document, queryHash: hash("sha256", query, "hex") }, tokens: documentTokenCount(document) };
  }
}
