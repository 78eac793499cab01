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
}

/**
 * Query texts parsed and validated once, against the same schema, parse options and rules as
 * Apollo Server's own document store, so that a document found here is one Apollo would execute.
 * A text that fails to parse or validate is remembered as `null`: such requests go to Apollo,
 * which answers them with its errors. Bounded: the least recently used text leaves first, so a
 * client sending endless distinct texts costs memory no larger than the bound.
 */
export class PreparedDocuments {
  readonly #entries = new Map<string, PreparedDocument | null>();
  readonly #rules: readonly ValidationRule[];
  readonly #maxEntries: number;
  readonly #maxQueryLength: number;

  constructor(private readonly options: PreparedDocumentsOptions) {
    this.#rules = [...specifiedRules, ...options.validationRules];
    this.#maxEntries = options.maxEntries ?? 1000;
    this.#maxQueryLength = options.maxQueryLength ?? 64 * 1024;
  }

  get size(): number {
    return this.#entries.size;
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
    if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(query, prepared);
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
