/** A value a direct statement binds (see direct-sql.ts). */
export type SqlValue = string | number | Date | null;

/** A row of a direct statement, keyed by column name or alias. */
export type SqlRow = Readonly<Record<string, unknown>>;

export interface DirectStatements {
  rows(sql: string, args: readonly SqlValue[]): Promise<SqlRow[]>;
  execute(sql: string, args: readonly SqlValue[]): Promise<number>;
}

/**
 * A database adapter that runs direct statements itself, on its own cached statements, instead
 * of through Prisma's generic adapter interface: SQLite's (serialized-sqlite-adapter.ts), where
 * the generic path's per-statement layers cost several times the statement itself. Placeholders
 * are the adapter's provider's; values are bound as Prisma binds them.
 */
export interface DirectDriver extends DirectStatements {
  readonly provider: "sqlite" | "postgres" | "mysql" | "sqlserver";
  /** Runs `work` in one transaction: committed when it returns, rolled back when it throws. */
  directTransaction<T>(work: (tx: DirectStatements) => Promise<T>): Promise<T>;
}

export const isDirectDriver = (adapter: object): adapter is DirectDriver & object => "directTransaction" in adapter;
