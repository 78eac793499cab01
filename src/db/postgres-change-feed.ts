import pg from "pg";
import { CHANGE_CHANNEL, parseDatabaseChange, type DatabaseChange } from "./database-change.js";
import { ensureChangeTriggers } from "./postgres-change-triggers.js";

export interface PostgresChangeFeedOptions {
  connectionString: string;
  onChange: (change: DatabaseChange) => void;
  /**
   * Called once listening, after every (re)connect: notifications sent while this process was not
   * listening are lost, so whatever they would have told must be read again in full.
   */
  onListening: () => void | Promise<void>;
  /** Told when the connection drops and when it is back, for logs and probes. */
  onDisconnect?: (error: unknown) => void;
  /** How long one connection attempt may take. @default 5000 */
  connectTimeoutMs?: number;
  /** A silently dead connection (no FIN, no RST) is found by a query this often. @default 10000 */
  heartbeatMs?: number;
  /** Reconnect delays grow from the first to the last value. @default [100, 5000] */
  reconnectDelayMs?: readonly [first: number, max: number];
}

/**
 * One dedicated connection LISTENing for changes other processes commit (Prisma's pool cannot
 * LISTEN: a pooled connection is handed to other queries). It reconnects on its own with a
 * growing delay, and every connect ends with onListening so the caller reads what it missed.
 */
export class PostgresChangeFeed {
  readonly #options: PostgresChangeFeedOptions;
  #client: pg.Client | undefined;
  #stopped = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #nextDelay: number;
  #connected = false;

  constructor(options: PostgresChangeFeedOptions) {
    this.#options = options;
    this.#nextDelay = options.reconnectDelayMs?.[0] ?? 100;
  }

  /** Whether changes are being pushed right now (false while reconnecting). */
  get connected(): boolean {
    return this.#connected;
  }

  /**
   * Resolves once listening, or once the first attempt failed (reported to onDisconnect): from then
   * on it keeps retrying in the background, so a database down at start is picked up when it is back.
   */
  async start(): Promise<void> {
    await this.#connect().catch((error: unknown) => {
      this.#options.onDisconnect?.(error);
      this.#scheduleReconnect();
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#heartbeat);
    const client = this.#client;
    this.#client = undefined;
    this.#connected = false;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#options.connectionString,
      connectionTimeoutMillis: this.#options.connectTimeoutMs ?? 5000,
      keepAlive: true,
      // Trigger payloads and timestamps in UTC, whatever the server's default.
      options: "-c timezone=UTC",
    });
    // An error on an idle client must not crash the process: it ends this connection only.
    client.on("error", (error) => this.#lost(client, error));
    client.on("end", () => this.#lost(client, new Error("the notification connection closed")));
    client.on("notification", (message) => {
      if (message.channel !== CHANGE_CHANNEL || message.payload === undefined) return;
      const change = parseDatabaseChange(message.payload);
      if (change) this.#options.onChange(change);
    });
    try {
      await client.connect();
      await ensureChangeTriggers(client);
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners("end");
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#connected = true;
    this.#nextDelay = this.#options.reconnectDelayMs?.[0] ?? 100;
    this.#startHeartbeat(client);
    // Awaited (its own failures are the caller's to report): start() resolves only once what was
    // missed has been read, so a process serves no request before it knows of every ended session.
    await Promise.resolve(this.#options.onListening()).catch(() => undefined);
  }

  #startHeartbeat(client: pg.Client): void {
    clearInterval(this.#heartbeat);
    const every = this.#options.heartbeatMs ?? 10_000;
    this.#heartbeat = setInterval(() => {
      // pg has no per-query timeout on a plain client; a ping outliving its interval means the link is gone.
      const deadline = setTimeout(() => this.#lost(client, new Error("the notification connection stopped answering")), every);
      deadline.unref();
      client.query("SELECT 1").then(
        () => clearTimeout(deadline),
        (error: unknown) => {
          clearTimeout(deadline);
          this.#lost(client, error);
        },
      );
    }, every);
    this.#heartbeat.unref();
  }

  #lost(client: pg.Client, error: unknown): void {
    if (client !== this.#client || this.#stopped) return;
    this.#client = undefined;
    this.#connected = false;
    clearInterval(this.#heartbeat);
    client.removeAllListeners("end");
    client.end().catch(() => undefined);
    this.#options.onDisconnect?.(error);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#stopped) return;
    const delay = this.#nextDelay;
    this.#nextDelay = Math.min(delay * 2, this.#options.reconnectDelayMs?.[1] ?? 5000);
    this.#retryTimer = setTimeout(() => {
      this.#connect().catch((error: unknown) => {
        this.#options.onDisconnect?.(error);
        this.#scheduleReconnect();
      });
    }, delay);
    this.#retryTimer.unref();
  }
}
