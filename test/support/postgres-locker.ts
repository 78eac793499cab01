import pg from "pg";
import type { TestServer } from "./test-server.js";

/** A second connection to a test server's PostgreSQL database: "someone else" holding the locks a test needs held. */
export async function openLocker(t: Pick<TestServer, "env">): Promise<pg.Client> {
  const locker = new pg.Client(t.env["DATABASE_URL"]);
  await locker.connect();
  return locker;
}

/** Gives back whatever the locker still holds (a transaction, advisory locks), then disconnects. */
export async function closeLocker(locker: pg.Client | undefined): Promise<void> {
  if (!locker) return;
  await locker.query("ROLLBACK").catch(() => undefined);
  await locker.query("SELECT pg_advisory_unlock_all()").catch(() => undefined);
  await locker.end();
}
