import Database from 'better-sqlite3';

export interface SqliteOptions {
  /** Path of the database file. */
  readonly file: string;
  /** FULL survives power loss; NORMAL survives a process crash (kill -9) but not power loss. */
  readonly synchronous: 'FULL' | 'NORMAL';
  /** How long a write waits for another process's lock before failing (closed). */
  readonly busyTimeoutMs?: number;
  /**
   * Where writes run. `worker` (the server): a worker thread owns the write connection, so a
   * commit's fsync never blocks the event loop and the next batch fills while it runs. `inline`
   * (CLI, tests): the calling thread writes, batching what arrives in one event-loop turn.
   */
  readonly writer?: 'worker' | 'inline';
}

export function openDatabase(o: SqliteOptions): Database.Database {
  const db = new Database(o.file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${o.synchronous}`);
  db.pragma(`busy_timeout = ${Math.trunc(o.busyTimeoutMs ?? 5000)}`);
  return db;
}
