import { type GraphQLFieldResolver, type GraphQLSchema, defaultFieldResolver } from "graphql";

/** The contexts (one per request) in which a mutation's root field resolved. */
const tookEffect = new WeakSet<object>();

/**
 * Wraps each mutation root field's resolver so the status table can tell whether a mutation took
 * effect (README "Errors": a mutation that happened answers 200 even when its result is
 * withheld). Apollo offers the same through a plugin's `willResolveField`, but the first use
 * makes it wrap every field of the whole schema for the life of the process, a cost every query
 * then pays per field; this wraps only the mutation's own fields. Changes the schema in place;
 * call once, on the final schema.
 */
export function recordMutationEffects(schema: GraphQLSchema): GraphQLSchema {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve: GraphQLFieldResolver<unknown, object> = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context: object, info) => {
      const result = resolve(source, args, context, info);
      if (!(result instanceof Promise)) {
        tookEffect.add(context);
        return result;
      }
      return result.then((value: unknown) => {
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
