import { CHANGE_CHANNEL } from "./database-change.js";

/** Bumped whenever CHANGE_TRIGGERS_SQL changes, so running databases get the new definition once. */
const TRIGGERS_VERSION = "claimgate change triggers v1";

/**
 * Triggers that announce, at commit, every change other processes must act on at once: an ended
 * session, a user's claims version going up (claim, role, password or account changes), a
 * published post (subscriptions), a role edited (role catalogs). They live in the database rather
 * than in the code that makes the change, so no write path can forget one.
 * PostgreSQL folds identical notifications within one transaction, so "r" is sent once per commit.
 */
const CHANGE_TRIGGERS_SQL = `
CREATE OR REPLACE FUNCTION claimgate_notify_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_TABLE_NAME = 'Session' THEN
    PERFORM pg_notify('${CHANGE_CHANNEL}', 's:' || NEW."id");
  ELSIF TG_TABLE_NAME = 'User' THEN
    PERFORM pg_notify('${CHANGE_CHANNEL}', 'c:' || NEW."id" || ':' || NEW."claimsVersion");
  ELSIF TG_TABLE_NAME = 'Post' THEN
    PERFORM pg_notify('${CHANGE_CHANNEL}', 'p:' || NEW."id");
  ELSE
    PERFORM pg_notify('${CHANGE_CHANNEL}', 'r');
  END IF;
  RETURN NULL;
END
$fn$;
CREATE OR REPLACE TRIGGER claimgate_session_ended AFTER UPDATE OF "revokedAt" ON "Session"
  FOR EACH ROW WHEN (OLD."revokedAt" IS NULL AND NEW."revokedAt" IS NOT NULL) EXECUTE FUNCTION claimgate_notify_change();
CREATE OR REPLACE TRIGGER claimgate_claims_changed AFTER UPDATE OF "claimsVersion" ON "User"
  FOR EACH ROW WHEN (NEW."claimsVersion" > OLD."claimsVersion") EXECUTE FUNCTION claimgate_notify_change();
CREATE OR REPLACE TRIGGER claimgate_post_created AFTER INSERT ON "Post"
  FOR EACH ROW WHEN (NEW."published") EXECUTE FUNCTION claimgate_notify_change();
CREATE OR REPLACE TRIGGER claimgate_post_published AFTER UPDATE OF "published" ON "Post"
  FOR EACH ROW WHEN (NEW."published" AND NOT OLD."published") EXECUTE FUNCTION claimgate_notify_change();
CREATE OR REPLACE TRIGGER claimgate_roles_changed AFTER INSERT OR UPDATE OR DELETE ON "Role"
  FOR EACH STATEMENT EXECUTE FUNCTION claimgate_notify_change();
COMMENT ON FUNCTION claimgate_notify_change() IS '${TRIGGERS_VERSION}';
`;

/** How many triggers CHANGE_TRIGGERS_SQL creates. */
const TRIGGER_COUNT = (CHANGE_TRIGGERS_SQL.match(/CREATE OR REPLACE TRIGGER/g) ?? []).length;

/** Any key shared by all claimgate processes; distinct from the migrator's advisory lock. */
const TRIGGERS_LOCK = 72707370;

export interface SqlRunner {
  query(sql: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * Installs the change triggers unless this version already is. Checked first without a lock:
 * CREATE TRIGGER takes a lock that briefly blocks writes to the table, which every process
 * reconnecting must not cause. Concurrent first starts serialise on an advisory lock.
 */
export async function ensureChangeTriggers(client: SqlRunner): Promise<boolean> {
  if (await installedVersionIs(client)) return false;
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [TRIGGERS_LOCK]);
    if (await installedVersionIs(client)) {
      await client.query("COMMIT");
      return false;
    }
    await client.query(CHANGE_TRIGGERS_SQL);
    await client.query("COMMIT");
    return true;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** This version's function, and every one of its triggers (one dropped by hand is put back). */
async function installedVersionIs(client: SqlRunner): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT obj_description(p.oid, 'pg_proc') AS version,
            (SELECT count(*)::int FROM pg_trigger t WHERE t.tgfoid = p.oid AND NOT t.tgisinternal) AS triggers
     FROM pg_proc p WHERE p.proname = 'claimgate_notify_change' AND p.pronamespace = current_schema()::regnamespace`,
  );
  return rows.some((row) => row["version"] === TRIGGERS_VERSION && row["triggers"] === TRIGGER_COUNT);
}
