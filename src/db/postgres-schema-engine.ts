// Prisma's WebAssembly schema engine driving PostgreSQL through @prisma/adapter-pg, offline, with
// workarounds for the three defects of adapter-pg 7.10's migration support (see
// ../shared/facts/postgres.md; 7.10.1 has the same code):
//  1. introspection reads "char" columns (type OID 18) of the catalogs, which the adapter refuses
//     ("Column type 'char' could not be deserialized"): we report them as Character;
//  2. connectToShadowDb lets the main URL override the shadow database's name (the history was
//     replayed into the main database) and drops the shadow before closing its pool: we make the
//     shadow database ourselves, with its own URL, and drop it after its pool is closed;
//  3. executeScript splits scripts on every `;`, breaking PL/pgSQL bodies: we send the whole
//     script as one simple query, as psql would.
import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum, type SqlDriverAdapter, type SqlQueryable, type SqlResultSet } from "@prisma/driver-adapter-utils";
import pg from "pg";
import * as bindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import { initialiseWasm, type SchemaEngineHandle } from "./schema-engine.js";

const CHAR_OID = 18;
const TEXT_OID = 25;
/** Marks a "char" column's name between the pg client and the adapter's result (see pgPool). */
const CHAR_MARK = "\u0000char\u0000";

type Fields = { fields?: { dataTypeID: number; name: string }[] } | undefined;

function markChars(value: Fields): Fields {
  for (const field of value?.fields ?? []) {
    if (field.dataTypeID === CHAR_OID) {
      field.dataTypeID = TEXT_OID;
      field.name = CHAR_MARK + field.name;
    }
  }
  return value;
}

/** Wraps a pg `query` (promise or callback style) so that its results pass through markChars. */
function markingQuery(query: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => {
    const last = args.length - 1;
    if (typeof args[last] === "function") {
      const callback = args[last] as (error: unknown, value: Fields) => void;
      args[last] = (error: unknown, value: Fields) => callback(error, error ? value : markChars(value));
      return query(...args);
    }
    const result = query(...args);
    return result instanceof Promise ? result.then((value: Fields) => markChars(value)) : result;
  };
}

/** A pool whose results report "char" columns as text, with the column name marked to say so. */
function pgPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 4, connectionTimeoutMillis: 5000, allowExitOnIdle: true });
  pool.on("connect", (client) => {
    const patched = client as unknown as { query: (...args: unknown[]) => unknown };
    patched.query = markingQuery(client.query.bind(client) as (...args: unknown[]) => unknown);
  });
  return pool;
}

function unmarkChars(result: SqlResultSet): SqlResultSet {
  if (!result.columnNames.some((name) => name.startsWith(CHAR_MARK))) return result;
  return {
    ...result,
    columnNames: result.columnNames.map((name) => (name.startsWith(CHAR_MARK) ? name.slice(CHAR_MARK.length) : name)),
    columnTypes: result.columnTypes.map((type, i) => (result.columnNames[i]!.startsWith(CHAR_MARK) ? ColumnTypeEnum.Character : type)),
  };
}

function patchQueryable<T extends SqlQueryable>(queryable: T): T {
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => unmarkChars(await queryRaw(query));
  return queryable;
}

/** The adapter over its own pool, with the three workarounds; dispose() ends the pool. */
async function connectPatched(connectionString: string): Promise<SqlDriverAdapter> {
  const pool = pgPool(connectionString);
  const adapter = patchQueryable(await new PrismaPg(pool, { disposeExternalPool: true }).connect());
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => patchQueryable(await startTransaction(isolationLevel));
  const onError = (adapter as unknown as { onError(error: unknown): never }).onError.bind(adapter);
  adapter.executeScript = async (script) => {
    try {
      await pool.query(script);
    } catch (error) {
      onError(error);
    }
  };
  return adapter;
}

/** The URL with another database name, every other parameter (host, socket, TLS) kept. */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export async function openPostgresSchemaEngine(options: { databaseUrl: string }): Promise<SchemaEngineHandle> {
  await initialiseWasm();
  const connections: SqlDriverAdapter[] = [];
  const shadows: string[] = [];
  const adapter = bindMigrationAwareSqlAdapterFactory({
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    async connect() {
      const connection = await connectPatched(options.databaseUrl);
      connections.push(connection);
      return connection;
    },
    // Creating the shadow database needs CREATEDB; only creating migrations (diff) asks for one.
    async connectToShadowDb() {
      const name = `claimgate_shadow_${randomUUID().replaceAll("-", "")}`;
      await adminQuery(options.databaseUrl, `CREATE DATABASE "${name}"`);
      shadows.push(name);
      const connection = await connectPatched(withDatabase(options.databaseUrl, name));
      connections.push(connection);
      return connection;
    },
  });
  const engine = await bindings.SchemaEngine.new({ datamodels: undefined }, () => {}, adapter);
  return {
    engine,
    async close() {
      engine.free();
      // Pools first: a database with open connections cannot be dropped.
      // The engine may have disposed some itself (its shadow database, when done with it).
      await Promise.all(connections.map((connection) => connection.dispose().catch(() => {})));
      for (const name of shadows) await adminQuery(options.databaseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

async function adminQuery(databaseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
