import { isAbsolute, relative, resolve } from 'node:path';
import type { Config } from '../config/schema.ts';

/** A failure to start that already says, in one line, what happened and what to do. */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

interface ErrorLike {
  message?: string;
  code?: string;
  syscall?: string;
  path?: string;
  port?: number;
  address?: string;
  errors?: ErrorLike[];
}

const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
const FILE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'ENOENT', 'ENOSPC', 'EISDIR']);

/** Whether the configured log level asks for stack traces. */
export const wantsStack = (c: Readonly<Config>) => c.logLevel === 'debug' || c.logLevel === 'trace';

/** The one line that tells an operator what stopped otpd from starting and what to change. */
export function explainStartupFailure(err: unknown, c: Readonly<Config>): string {
  if (err instanceof StartupError) return err.message;
  const e = (err ?? {}) as ErrorLike;
  const code = e.code ?? e.errors?.[0]?.code;
  if (e.syscall === 'listen') {
    const port = e.port ?? c.port;
    if (code === 'EADDRINUSE') return `port ${port} is in use (another otpd?): set OTPD_PORT or stop the other process`;
    if (code === 'EACCES') return `no permission to listen on port ${port}: use a port above 1023 (OTPD_PORT)`;
    if (code === 'EADDRNOTAVAIL') return `cannot listen on ${c.host}: no such address on this machine: set OTPD_HOST`;
  }
  if (c.database.url) {
    const pg = explainPostgres(e, code, c.database.url);
    if (pg) return pg;
  }
  if (code?.startsWith('SQLITE_')) return explainSqlite(code, c);
  if (code && FILE.has(code) && e.path && inside(e.path, c.dataDir)) return dataDirProblem(c.dataDir, code);
  return `failed to start: ${e.message ?? String(err)} (OTPD_LOG_LEVEL=debug shows the stack trace)`;
}

/** The data directory cannot be created or written. */
export function dataDirProblem(dir: string, code: string): string {
  const fix = 'make it a directory this user can write, or set OTPD_DATA_DIR';
  return `cannot use the data directory ${dir} (${code}): ${fix}`;
}

const inside = (path: string, dir: string) => {
  const r = relative(resolve(dir), resolve(path));
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

function explainSqlite(code: string, c: Readonly<Config>): string {
  if (code === 'SQLITE_BUSY') {
    return (
      `${c.dataDir}/otpd.db stayed locked by another process for ${c.sqlite.busyTimeoutMs} ms: ` +
      'try again, or raise OTPD_SQLITE_BUSY_TIMEOUT_MS'
    );
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return `${c.dataDir}/otpd.db is not a usable SQLite database (${code}): restore it or set OTPD_DATA_DIR`;
  }
  return dataDirProblem(c.dataDir, code);
}

/** Connection failures, in words; a failure that is not about reaching or entering the server is left alone. */
function explainPostgres(e: ErrorLike, code: string | undefined, url: string): string | undefined {
  let target = 'the configured server';
  let user = '';
  let db = '';
  try {
    const u = new URL(url);
    target = `${u.hostname || 'localhost'}:${u.port || 5432}`;
    user = decodeURIComponent(u.username);
    db = decodeURIComponent(u.pathname.slice(1));
  } catch {
    // pg accepts connection strings URL cannot parse; the generic words will do
  }
  const msg = e.message ?? '';
  if ((code && NETWORK.has(code)) || /timeout|terminated unexpectedly|Connection terminated/i.test(msg)) {
    const why = code ?? msg;
    return `cannot reach PostgreSQL at ${target} (${why}): check OTPD_DATABASE_URL and that PostgreSQL is running`;
  }
  if (code === '3D000') return `PostgreSQL at ${target} has no database "${db}": create it, or fix OTPD_DATABASE_URL`;
  if (code?.startsWith('28')) {
    const fix = 'check the user and password in OTPD_DATABASE_URL';
    return `PostgreSQL at ${target} refused the login of "${user}" (${msg}): ${fix}`;
  }
  if (code && /^(08|53|57P0)/.test(code)) {
    return `PostgreSQL at ${target} refused the connection (${msg}): check the server, then OTPD_DATABASE_URL`;
  }
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    const fix = "check the user's privileges on the database and schema";
    return `PostgreSQL at ${target} answered "${msg}" (SQLSTATE ${code}): ${fix}`;
  }
  return undefined;
}
