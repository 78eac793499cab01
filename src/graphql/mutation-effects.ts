import { type GraphQLFieldResolver, type GraphQLSchema, defaultFieldResolver } from "graphql";

/** The contexts (one per request) in which a mutation's root field resolved. */
const tookEffect = new WeakSet<object>();

/**
 * Wraps each mutation root field's resolver so the status table can tell whether a mutation took
 * effect (README "Errors": a mutation that happened answers 200 even when its result is
 * withheld). Apollo offers the same through a plugin's `willResolveField`, but the first use
 * makes it wrap every field of the whole schema for the life of the process, a cost every query
 * then pays per field; this wraps only the mutation's own fields. Changes the schema in place;
 * call once, on the resolvers as written (before applyRequiresClaims wraps them, so a result an
 * object rule withholds after the resolver ran still counts as an effect).
 */
export function recordMutationEffects(schema: GraphQLSchema): GraphQLSchema {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve: GraphQLFieldResolver<unknown, object> = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context: object, info) => {
      const result: unknown = resolve(source, args, context, info);
      // Any thenable is pending, as graphql-js sees it (a query builder's lazy result is one).
      if (typeof (result as PromiseLike<unknown> | null)?.then !== "function") {
        tookEffect.add(context);
        return result;
      }
      return Promise.resolve(result as PromiseLike<unknown>).then((value) => {
        tookEffect.add(context);
        return value;
      });
    };
  }
  return schema;
}

/** Whether a mutation root field resolved (without throwing) in this request's context. */
export function mutationTookEffect(context: object): boolean {
  return tookEffect.has(context);
}
