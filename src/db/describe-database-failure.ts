import { isPostgresUrl } from "./database-url.js";

/** The server part of a PostgreSQL URL, without the password, for messages. */
export function postgresLocation(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    const socket = url.searchParams.get("host");
    return `${url.pathname.slice(1) || "(no database)"} on ${socket ?? url.host}${url.username ? ` as ${decodeURIComponent(url.username)}` : ""}`;
  } catch {
    return "(an unparsable URL)";
  }
}

/**
 * A startup failure caused by the PostgreSQL server, in one line naming what to fix; null for
 * SQLite URLs and anything else. Pure.
 */
export function describeDatabaseStartupFailure(error: unknown, databaseUrl: string): string | null {
  if (!isPostgresUrl(databaseUrl)) return null;
  const text = messagesOf(error);
  const where = `PostgreSQL database ${postgresLocation(databaseUrl)}`;
  if (/Can't reach database server|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|SocketTimeout|timeout exceeded when trying to connect|Connection terminated/.test(text)) {
    return `cannot reach the ${where}: start PostgreSQL (15 or newer) there, or set DATABASE_URL to a server that runs.`;
  }
  if (/password authentication failed|28P01|Authentication failed/i.test(text)) {
    return `the ${where} refused the user name or password: fix DATABASE_URL (percent-encode special characters in the password).`;
  }
  if (/database .* does not exist|3D000|DatabaseDoesNotExist/.test(text)) {
    return `the ${where} does not exist: create it (createdb, or CREATE DATABASE) and start again; claimgate creates the tables itself.`;
  }
  if (/permission denied/i.test(text)) {
    return `the ${where} refused a statement (permission denied): the user needs to create tables in the database's public schema.`;
  }
  return null;
}

function messagesOf(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 6; depth++) {
    const record = current as { message?: unknown; code?: unknown; cause?: unknown };
    if (typeof record.message === "string") parts.push(record.message);
    if (typeof record.code === "string") parts.push(record.code);
    current = record.cause;
  }
  return parts.join("\n");
}
