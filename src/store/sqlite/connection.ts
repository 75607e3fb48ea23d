import Database from 'better-sqlite3';
import { closeSync, constants, fchmodSync, openSync } from 'node:fs';

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
  createOwnerOnly(o.file);
  const db = new Database(o.file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${o.synchronous}`);
  db.pragma(`busy_timeout = ${Math.trunc(o.busyTimeoutMs ?? 5000)}`);
  return db;
}

/**
 * Creates a missing database file with mode 0600, whatever the umask and the directory's mode:
 * SQLite gives its -wal and -shm files the database file's mode, so they are 0600 too. An existing
 * file keeps the mode it has (an operator may have chosen it).
 */
function createOwnerOnly(file: string): void {
  if (file === '' || file === ':memory:' || file.startsWith('file:')) return;
  let fd: number;
  try {
    fd = openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  } catch (err) {
    // It exists: leave it alone. Its directory is missing: better-sqlite3 says so in its own words.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOENT') return;
    throw err;
  }
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
}
