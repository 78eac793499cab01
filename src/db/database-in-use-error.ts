/**
 * Whether applying migrations failed because another connection has the SQLite file open:
 * applying takes the database for itself, and while a server has it open the schema engine
 * gives up after its busy timeout (reported as SQLITE_BUSY, or as a "SocketTimeout" that the
 * engine cannot even name). Looks through the error's causes, as drivers wrap SQLite's errors.
 */
export function isDatabaseInUse(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 5; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (code === "SQLITE_BUSY") return true;
    if (typeof message === "string" && /unknown variant `SocketTimeout`|SQLITE_BUSY|database is locked/.test(message)) return true;
    current = cause;
  }
  return false;
}
