import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from "graphql";

/**
 * How deeply JSON inputs may nest. Claims need two or three levels; without a limit, a value
 * nested thousands deep (it fits in a 100 KB body) overflows the stack of whatever walks it.
 */
export const MAX_JSON_DEPTH = 32;

const tooDeep = () =>
  new GraphQLError(`JSON input may nest at most ${MAX_JSON_DEPTH} levels deep.`, { extensions: { code: "BAD_USER_INPUT", reason: "INPUT_TOO_DEEP" } });

/** Whether a parsed JSON value nests deeper than `max`, walked without recursion. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== "object") continue;
    if (depth > max) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

/** Any JSON value, written inline in a document or passed as a variable. */
export const JSONScalar = new GraphQLScalarType({
  name: "JSON",
  serialize: (value) => value,
  parseValue: (value) => {
    if (nestsDeeperThan(value, MAX_JSON_DEPTH)) throw tooDeep();
    return value;
  },
  parseLiteral: function parseLiteral(node: ValueNode, variables?: Record<string, unknown> | null, depth = 1): unknown {
    if (depth > MAX_JSON_DEPTH) throw tooDeep();
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
        return node.values.map((item) => parseLiteral(item, variables, depth + 1));
      case Kind.OBJECT:
        return Object.fromEntries(node.fields.map((field) => [field.name.value, parseLiteral(field.value, variables, depth + 1)]));
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
