import { closeSync, constants, fchmodSync, openSync, unlinkSync } from 'node:fs';
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

/** Held by a server for as long as it runs; `release` lets the next one in. */
export interface ServerLock {
  release(): void;
}

/**
 * Takes the lock that makes one server the only one on a database file, or returns undefined if
 * another process holds it. The lock is SQLite's own exclusive lock on an empty database beside the
 * file (`<file>.lock`), taken by a connection in EXCLUSIVE locking mode, which keeps it until it
 * closes: an fcntl lock that the kernel drops when the process ends, however it ends, so `kill -9`
 * leaves nothing stale behind, and the file's presence means nothing. The database itself stays
 * shared, so the CLI can open it while the server runs.
 */
export function lockServer(file: string): ServerLock | undefined {
  const path = `${file}.lock`;
  closeSync(openSync(path, 'a', 0o600));
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = MEMORY'); // no journal file beside it: there is nothing to roll back
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (err) {
    db.close();
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_BUSY') return undefined;
    // Only a crash while SQLite first formatted the empty file can leave it unreadable, and then no
    // process can hold it: start it afresh.
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      unlinkSync(path);
      return lockServer(file);
    }
    throw err;
  }
  // The handle must stay referenced: a connection that is garbage-collected closes, lock and all.
  const held = { db };
  return {
    release() {
      if (held.db.open) held.db.close();
    },
  };
}
