import type { DatabaseChange } from "./database-change.js";
import { PostgresChangeFeed } from "./postgres-change-feed.js";

export interface WatchDatabaseChangesOptions {
  databaseUrl: string;
  onChange: (change: DatabaseChange) => void;
  /** After every (re)connect of a pushing database: read in full what notifications may have missed. */
  onResync: () => void | Promise<void>;
  onDisconnect?: (error: unknown) => void;
  onReconnect?: () => void;
}

export interface DatabaseChanges {
  /** True when this database pushes changes; otherwise the caller's polling is all there is. */
  readonly pushes: boolean;
  /** Whether pushed changes are arriving right now. */
  readonly connected: boolean;
  stop(): Promise<void>;
}

/** Whether a database at this URL pushes changes (PostgreSQL) or must be polled (SQLite). */
export function pushesChanges(databaseUrl: string): boolean {
  return /^postgres(ql)?:\/\//i.test(databaseUrl);
}

const NOTHING_PUSHED: DatabaseChanges = { pushes: false, connected: false, stop: async () => undefined };

/**
 * Changes other processes commit, as they commit them: on PostgreSQL through LISTEN/NOTIFY; SQLite
 * has no such channel (processes sharing its file are on one host and poll it cheaply).
 * A PostgreSQL database that cannot be reached (at start or later) is retried in the background;
 * the caller's poll covers the gap.
 */
export async function watchDatabaseChanges(options: WatchDatabaseChangesOptions): Promise<DatabaseChanges> {
  if (!pushesChanges(options.databaseUrl)) return NOTHING_PUSHED;
  let everConnected = false;
  const feed = new PostgresChangeFeed({
    connectionString: options.databaseUrl,
    onChange: options.onChange,
    onListening: () => {
      if (everConnected) options.onReconnect?.();
      everConnected = true;
      return options.onResync();
    },
    ...(options.onDisconnect ? { onDisconnect: options.onDisconnect } : {}),
  });
  // The first attempt, and the re-read after it, are awaited: a server that starts serving has
  // read every change committed before it listened and hears every one after.
  await feed.start();
  return {
    pushes: true,
    get connected() {
      return feed.connected;
    },
    stop: () => feed.stop(),
  };
}
