import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from "graphql";

/** Any JSON value, written inline in a document or passed as a variable. */
export const JSONScalar = new GraphQLScalarType({
  name: "JSON",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: function parseLiteral(node: ValueNode, variables?: Record<string, unknown> | null): unknown {
    switch (node.kind) {
      case Kind.STRING:
      case Kind.BOOLEAN:
        return node.value;
      case Kind.INT:
      case Kind.FLOAT:
        return Number(node.value);
      case Kind.NULL:
        return null;
      case Kind.LIST:
        return node.values.map((item) => parseLiteral(item, variables));
      case Kind.OBJECT:
        return Object.fromEntries(node.fields.map((field) => [field.name.value, parseLiteral(field.value, variables)]));
      case Kind.VARIABLE:
        return variables?.[node.name.value];
      default:
        throw new GraphQLError("JSON cannot represent this value.");
    }
  },
});

/** Instants as ISO 8601 strings in UTC. Output only in this schema. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: "DateTime",
  serialize(value) {
    if (value instanceof Date) return value.toISOString();
    throw new GraphQLError("DateTime cannot represent a value that is not a Date.");
  },
  parseValue(value) {
    const date = typeof value === "string" ? new Date(value) : new Date(Number.NaN);
    if (Number.isNaN(date.getTime())) throw new GraphQLError("DateTime must be an ISO 8601 string such as 2026-01-31T12:00:00Z.");
    return date;
  },
});
