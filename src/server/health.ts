import type { Database } from "../db/database.js";

export interface Readiness {
  readonly ready: boolean;
  readonly reason?: string;
}

/**
 * Ready when the database answers and has applied every migration this build ships
 * (another process may be migrating it, or a deploy may have skipped a step).
 */
export async function checkReadiness(db: Database, expectedMigrations: readonly string[]): Promise<Readiness> {
  let applied: Set<string>;
  try {
    const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    );
    applied = new Set(rows.map((row) => row.migration_name));
  } catch {
    return { ready: false, reason: "the database is not reachable" };
  }
  const missing = expectedMigrations.filter((name) => !applied.has(name));
  return missing.length === 0 ? { ready: true } : { ready: false, reason: `migrations not applied: ${missing.join(", ")}` };
}
