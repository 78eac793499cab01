import { hash } from "node:crypto";
import { type DocumentNode, type ParseOptions, parse, specifiedRules, validate, type GraphQLSchema, type ValidationRule } from "graphql";

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
  /**
   * The remembered texts together stay under this many characters; their syntax trees are about
   * ten to twenty times larger. Apollo's own document store holds about 30 MiB. @default 2 Mi
   */
  readonly maxTotalLength?: number;
}

/**
 * Query texts parsed and validated once, against the same schema, parse options and rules as
 * Apollo Server's own document store, so that a document found here is one Apollo would execute.
 * A text that fails to parse or validate is remembered as `null`: such requests go to Apollo,
 * which answers them with its errors. Bounded in entries and in characters: the least recently
 * used text leaves first, so a client sending endless distinct texts costs no more than the bound.
 */
export class PreparedDocuments {
  readonly #entries = new Map<string, PreparedDocument | null>();
  readonly #rules: readonly ValidationRule[];
  readonly #maxEntries: number;
  readonly #maxQueryLength: number;
  readonly #maxTotalLength: number;
  #totalLength = 0;

  constructor(private readonly options: PreparedDocumentsOptions) {
    this.#rules = [...specifiedRules, ...options.validationRules];
    this.#maxEntries = options.maxEntries ?? 1000;
    this.#maxQueryLength = options.maxQueryLength ?? 64 * 1024;
    this.#maxTotalLength = options.maxTotalLength ?? 2 * 1024 * 1024;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Characters of the texts remembered now. */
  get totalLength(): number {
    return this.#totalLength;
  }

  /** The document of `query` if it parses and validates; null otherwise. */
  get(query: string): PreparedDocument | null {
    const known = this.#entries.get(query);
    if (known !== undefined) {
      // Most recently used last: Map keeps insertion order, so eviction takes the first key.
      this.#entries.delete(query);
      this.#entries.set(query, known);
      return known;
    }
    if (query.length > this.#maxQueryLength) return null;
    const prepared = this.#prepare(query);
    // Oldest first (Map iterates in insertion order) until the new text fits both bounds.
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size < this.#maxEntries && this.#totalLength + query.length <= this.#maxTotalLength) break;
      this.#entries.delete(oldest);
      this.#totalLength -= oldest.length;
    }
    this.#entries.set(query, prepared);
    this.#totalLength += query.length;
    return prepared;
  }

  #prepare(query: string): PreparedDocument | null {
    let document: DocumentNode;
    try {
      document = parse(query, this.options.parseOptions);
    } catch {
      return null;
    }
    if (validate(this.options.schema, document, this.#rules).length > 0) return null;
    return { document, queryHash: hash("sha256", query, "hex") };
  }
}
