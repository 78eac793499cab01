import type Sqlite from "better-sqlite3";

/** Distinct statement texts kept per connection: Prisma's and ours together are a few hundred. */
const MAX_STATEMENTS = 500;

type Args = readonly unknown[];

/** Column descriptions per statement: better-sqlite3 builds them afresh on every call. */
const columnCache = new WeakMap<Sqlite.Statement, Sqlite.ColumnDefinition[]>();

function columnsOf(statement: Sqlite.Statement): Sqlite.ColumnDefinition[] {
  let columns = columnCache.get(statement);
  if (columns === undefined) {
    columns = statement.columns();
    columnCache.set(statement, columns);
  }
  return columns;
}

/**
 * The part of a better-sqlite3 statement that Prisma's adapter uses, bound to arguments. A cached
 * statement cannot be `bind()`-ed (better-sqlite3 binds a statement once for its lifetime), so
 * the arguments travel with each call instead.
 */
class BoundStatement {
  constructor(
    readonly statement: Sqlite.Statement,
    readonly args: Args,
  ) {}

  get reader(): boolean {
    return this.statement.reader;
  }

  get readonly(): boolean {
    return this.statement.readonly;
  }

  columns() {
    return columnsOf(this.statement);
  }

  run() {
    return this.statement.run(...this.args);
  }

  all() {
    return this.statement.raw(false).all(...this.args);
  }

  raw() {
    return { all: () => this.statement.raw(true).all(...this.args) };
  }
}

const caches = new WeakMap<Sqlite.Database, (sql: string) => Sqlite.Statement>();

/**
 * Keeps each connection's prepared statements by SQL text. Prisma's SQLite adapter prepares every
 * statement anew (`client.prepare(sql).bind(args)`), which cost more than running it: about
 * 250 µs of every refresh went to compiling the same seven statements again. Installed on the
 * connection's `prepare`, so Prisma's adapter reuses them too; calls with better-sqlite3's
 * internal extra arguments (pragma) go to the original. Bounded: past MAX_STATEMENTS the oldest
 * text is dropped (its statement is finalised when collected).
 */
export function cacheStatements(client: Sqlite.Database): void {
  const prepare = client.prepare.bind(client) as (sql: string, ...internal: unknown[]) => Sqlite.Statement;
  const cache = new Map<string, Sqlite.Statement>();
  const cached = (sql: string): Sqlite.Statement => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value!);
      cache.set(sql, statement);
    }
    return statement;
  };
  caches.set(client, cached);
  const facade = (sql: string) => {
    const statement = cached(sql);
    return Object.assign(new BoundStatement(statement, []), { bind: (args: Args = []) => new BoundStatement(statement, args) });
  };
  (client as unknown as { prepare: (sql: string, ...internal: unknown[]) => unknown }).prepare = (sql: string, ...internal: unknown[]) =>
    internal.length > 0 ? prepare(sql, ...internal) : facade(sql);
}

/** The connection's cached statement for `sql` (see cacheStatements, which must have been called). */
export function cachedStatement(client: Sqlite.Database, sql: string): Sqlite.Statement {
  const cached = caches.get(client);
  if (!cached) throw new Error("cachedStatement: cacheStatements was not called on this connection");
  return cached(sql);
}
