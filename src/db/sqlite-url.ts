import { isAbsolute, resolve } from "node:path";

/** The file a `file:` SQLite URL points at, resolved against the working directory. */
export function sqliteFilePath(databaseUrl: string): string {
  const path = databaseUrl.replace(/^file:/, "").replace(/\?.*$/, "");
  return isAbsolute(path) ? path : resolve(path);
}
