import type { ArgType, SqlDriverAdapter, SqlQuery, SqlQueryable } from "@prisma/driver-adapter-utils";
import type { Database } from "./database.js";
import { driverAdapterOf } from "./database.js";
import { type DirectDriver, type DirectStatements, isDirectDriver, type SqlRow, type SqlValue } from "./direct-driver.js";

export type { SqlRow, SqlValue } from "./direct-driver.js";

/**
 * Statements on the login and refresh hot paths, sent straight to the driver adapter under the
 * Prisma client. Prisma's client (even `$queryRaw`) spends 100–150 µs per call on request
 * building, batching and result mapping here, several times what SQLite needs to run a cached
 * statement; these paths run a handful each, thousands of times a second.
 *
 * Portable by construction: the adapter is whichever one the client was opened with (SQLite's
 * here, PostgreSQL's too), placeholders are rendered for its provider (`?` or `$1…`), values are
 * bound as Prisma binds them (through its adapter interface with its own argument types, or by an
 * adapter that runs direct statements itself, see direct-driver.ts) (so a Date is stored exactly as Prisma stores it: ISO
 * text with `+00:00` on SQLite, a timestamp on PostgreSQL), and transactions follow Prisma's
 * adapter protocol (`startTransaction`, then COMMIT or ROLLBACK sent as SQL, then `commit()` or
 * `rollback()` to hand the connection back). The SQL itself must be portable too: double-quoted
 * identifiers and aliases, RETURNING instead of changes(), no dialect-only functions.
 */

export interface SqlStatement {
  readonly strings: TemplateStringsArray;
  readonly values: readonly SqlValue[];
  /** With fragments inlined: the text around `values` (one more than them), and the fragments' templates in order. */
  readonly inlined?: { readonly pieces: readonly string[]; readonly templates: readonly TemplateStringsArray[] };
}

const isStatement = (value: SqlValue | SqlStatement): value is SqlStatement => typeof value === "object" && value !== null && !(value instanceof Date);

/**
 * A statement with bound values: sql`SELECT "id" FROM "User" WHERE "email" = ${email}`. A value
 * may itself be a statement, a fragment written once and used in several statements: its text is
 * inlined and its values bound in place (sql`WITH ${heldCounters(…)} SELECT …`).
 */
export function sql(strings: TemplateStringsArray, ...values: (SqlValue | SqlStatement)[]): SqlStatement {
  if (!values.some(isStatement)) return { strings, values: values as SqlValue[] };
  const pieces = [strings[0]!];
  const bound: SqlValue[] = [];
  const templates: TemplateStringsArray[] = [];
  values.forEach((value, index) => {
    if (isStatement(value)) {
      const inner = value.inlined?.pieces ?? value.strings;
      templates.push(value.strings, ...(value.inlined?.templates ?? []));
      pieces[pieces.length - 1] += inner[0]!;
      value.values.forEach((innerValue, innerIndex) => {
        bound.push(innerValue);
        pieces.push(inner[innerIndex + 1]!);
      });
      pieces[pieces.length - 1] += strings[index + 1]!;
    } else {
      bound.push(value);
      pieces.push(strings[index + 1]!);
    }
  });
  return { strings, values: bound, inlined: { pieces, templates } };
}

export interface SqlSession {
  /** Rows as objects keyed by column name (or alias). */
  rows(statement: SqlStatement): Promise<SqlRow[]>;
  /** The number of rows changed. */
  execute(statement: SqlStatement): Promise<number>;
}

export interface DirectSql extends SqlSession {
  /**
   * Runs `work` in one transaction on one connection: committed when it returns, rolled back
   * when it throws. On SQLite it holds the write lock from its start (BEGIN IMMEDIATE), so keep
   * it to a few statements with no other awaits in between.
   */
  transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T>;
}

type Provider = SqlDriverAdapter["provider"];

interface RenderedTexts {
  /** The templates of the fragments inlined when these texts were rendered: the same at a call site. */
  readonly templates: readonly TemplateStringsArray[] | undefined;
  readonly texts: Partial<Record<Provider, string>>;
}

/** Rendered texts per call site: a template's strings array is the same object at every call. */
const rendered = new WeakMap<TemplateStringsArray, RenderedTexts>();

const sameTemplates = (a: readonly TemplateStringsArray[] | undefined, b: readonly TemplateStringsArray[] | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((template, index) => template === b[index]));

function textOf(statement: SqlStatement, provider: Provider): string {
  const templates = statement.inlined?.templates;
  let entry = rendered.get(statement.strings);
  // A call site passing other fragments than last time (not done today) renders anew.
  if (!entry || !sameTemplates(entry.templates, templates)) rendered.set(statement.strings, (entry = { templates, texts: {} }));
  let text = entry.texts[provider];
  if (text === undefined) {
    const pieces = statement.inlined?.pieces ?? statement.strings;
    text = provider === "postgres" ? pieces.reduce((joined, part, index) => `${joined}$${index}${part}`) : pieces.join("?");
    entry.texts[provider] = text;
  }
  return text;
}

const DATETIME: ArgType = { scalarType: "datetime", arity: "scalar" };
const INT: ArgType = { scalarType: "int", arity: "scalar" };
const FLOAT: ArgType = { scalarType: "float", arity: "scalar" };
const STRING: ArgType = { scalarType: "string", arity: "scalar" };
const UNKNOWN: ArgType = { scalarType: "unknown", arity: "scalar" };

const argTypeOf = (value: SqlValue): ArgType =>
  value === null ? UNKNOWN : value instanceof Date ? DATETIME : typeof value === "number" ? (Number.isInteger(value) ? INT : FLOAT) : STRING;

/** The statement as the adapter of `provider` takes it: its placeholders, Prisma's argument types. */
export function renderSql(statement: SqlStatement, provider: Provider): SqlQuery {
  const { values } = statement;
  const argTypes = new Array<ArgType>(values.length);
  for (let index = 0; index < values.length; index++) argTypes[index] = argTypeOf(values[index]!);
  return { sql: textOf(statement, provider), args: values as unknown[], argTypes };
}

function sessionOn(queryable: SqlQueryable): SqlSession {
  const { provider } = queryable;
  return {
    async rows(statement) {
      const result = await queryable.queryRaw(renderSql(statement, provider));
      const { columnNames, rows } = result;
      const objects = new Array<SqlRow>(rows.length);
      for (let index = 0; index < rows.length; index++) {
        const row = rows[index]!;
        const object: Record<string, unknown> = {};
        for (let column = 0; column < columnNames.length; column++) object[columnNames[column]!] = row[column];
        objects[index] = object;
      }
      return objects;
    },
    execute: (statement) => queryable.executeRaw(renderSql(statement, provider)),
  };
}

const NO_ARGS = { args: [], argTypes: [] };
const sessions = new WeakMap<object, DirectSql>();

/**
 * Any adapter of Prisma's: statements through its generic interface, transactions by its protocol
 * (PostgreSQL's adapter takes this path; exported so tests can run it on SQLite too).
 */
export function throughDriverAdapter(adapter: SqlDriverAdapter): DirectSql {
  return {
    ...sessionOn(adapter),
    async transaction(work) {
      const tx = await adapter.startTransaction();
      let result;
      try {
        result = await work(sessionOn(tx));
        await tx.executeRaw({ sql: "COMMIT", ...NO_ARGS });
      } catch (error) {
        try {
          await tx.executeRaw({ sql: "ROLLBACK", ...NO_ARGS });
        } catch {
          // The connection is handed back below either way; the first error is the one to report.
        } finally {
          await tx.rollback();
        }
        throw error;
      }
      await tx.commit();
      return result;
    },
  };
}

/** An adapter that runs direct statements itself (SQLite's): the same SQL, fewer layers. */
function throughDirectDriver(driver: DirectDriver): DirectSql {
  const { provider } = driver;
  const on = (statements: DirectStatements): SqlSession => ({
    rows: (statement) => statements.rows(textOf(statement, provider), statement.values),
    execute: (statement) => statements.execute(textOf(statement, provider), statement.values),
  });
  return { ...on(driver), transaction: (work) => driver.directTransaction((tx) => work(on(tx))) };
}

/** The direct statement runner of a client from openDatabase (connecting it first if needed). */
export async function directSql(db: Database): Promise<DirectSql> {
  const adapter: SqlDriverAdapter = await driverAdapterOf(db);
  let direct = sessions.get(adapter);
  if (!direct) {
    direct = isDirectDriver(adapter) ? throughDirectDriver(adapter) : throughDriverAdapter(adapter);
    sessions.set(adapter, direct);
  }
  return direct;
}

/** Reading values back: SQLite hands DateTime columns over as text, PostgreSQL's adapter as text too. */
export const readDate = (value: unknown): Date => (value instanceof Date ? value : new Date(value as string));
export const readOptionalDate = (value: unknown): Date | null => (value === null || value === undefined ? null : readDate(value));
export const readInt = (value: unknown): number => Number(value);
export const readOptionalString = (value: unknown): string | null => (value === null || value === undefined ? null : (value as string));
