import type { DocumentNode, GraphQLSchema } from "graphql";
import { analyzeOperation, type AnalyzeOperationOptions, type OperationAnalysis } from "./analyze-operation.js";
import type { Claims } from "../auth/caller.js";

export interface OperationAnalyzerOptions {
  /** Analyses kept per document and claims object (one per distinct variables and operation name). @default 32 */
  readonly maxEntries?: number;
}

const ANONYMOUS: Claims = Object.freeze({});

/**
 * analyzeOperation with a cache. The analysis is a pure function of the schema, the document,
 * the variables, the operation name and the claims, so a cached answer is exact when all five
 * are the same: the key is the document and claims objects themselves (the server reuses both:
 * Apollo's document store and the verified-token cache) plus the variables as JSON.
 */
export function createOperationAnalyzer(schema: GraphQLSchema, options: OperationAnalyzerOptions = {}) {
  const maxEntries = options.maxEntries ?? 32;
  const cache = new WeakMap<DocumentNode, WeakMap<Claims, Map<string, OperationAnalysis>>>();
  return function analyze(input: Omit<AnalyzeOperationOptions, "schema">): OperationAnalysis {
    const claimsKey = input.claims ?? ANONYMOUS;
    let byClaims = cache.get(input.document);
    if (!byClaims) cache.set(input.document, (byClaims = new WeakMap()));
    let entries = byClaims.get(claimsKey);
    if (!entries) byClaims.set(claimsKey, (entries = new Map()));
    const key = `${input.operationName ?? ""}\u0000${JSON.stringify(input.variables ?? {})}`;
    const cached = entries.get(key);
    if (cached) return cached;
    const analysis = analyzeOperation({ ...input, schema });
    if (entries.size >= maxEntries) entries.clear();
    entries.set(key, analysis);
    return analysis;
  };
}
