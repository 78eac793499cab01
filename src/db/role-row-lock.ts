import type { Prisma } from "./generated/client.js";

/**
 * Locks a role's row until the transaction ends, so no grant of the role commits while a change
 * to it is under way: a grant's insert into UserRole checks its foreign key with FOR KEY SHARE,
 * which FOR UPDATE excludes (the FOR NO KEY UPDATE an ordinary UPDATE takes would not), and a
 * grant already inserted but not committed makes this wait for it. So the holders read after
 * this are all the holders there will be until the change commits.
 *
 * PostgreSQL only: SQLite has no row locks, and there the transaction holds the database's one
 * write lock from BEGIN IMMEDIATE (see serialized-sqlite-adapter.ts), which serialises it anyway.
 */
export async function lockRoleRow(tx: Prisma.TransactionClient, name: string, postgres: boolean): Promise<void> {
  if (!postgres) return;
  await tx.$queryRaw`SELECT "id" FROM "Role" WHERE "name" = ${name} FOR UPDATE`;
}
