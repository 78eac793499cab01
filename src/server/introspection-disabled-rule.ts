import { GraphQLError, type ValidationRule } from "graphql";

export const INTROSPECTION_DISABLED_MESSAGE =
  "Introspection is turned off on this server; set INTROSPECTION=true (or SANDBOX=true) to allow it.";

/**
 * Refuses `__schema` and `__type`, as Apollo's own rule does, with a message that names our
 * setting instead of Apollo's constructor option. `__typename` stays allowed.
 */
export const IntrospectionDisabledRule: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value === "__schema" || node.name.value === "__type") {
      context.reportError(new GraphQLError(INTROSPECTION_DISABLED_MESSAGE, { nodes: [node] }));
    }
  },
});
