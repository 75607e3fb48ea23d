/**
 * PostgreSQL for the benchmark: is it there, a fresh schema per target (dropped afterwards, also
 * on Ctrl-C), and how much CPU the PostgreSQL server processes spent (they do part of otpd's work
 * when it runs on PostgreSQL, so leaving them out would flatter it).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { addSyncCleanup, ticksPerSecond } from './children.ts';

/** The URL without its password, for printing. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, application_name: 'otpd-bench' });
  // A connection dropped by the server emits 'error' on the client; without a listener it would
  // end the whole benchmark instead of failing this one call.
  c.on('error', () => {});
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

/** The server version if PostgreSQL answers, or the reason it does not. */
export async function probePg(url: string): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  try {
    const version = await withClient(url, async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?');
    return { ok: true, version };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message || err.name : String(err) };
  }
}

const live = new Set<string>();

function dropSync(url: string, schema: string): void {
  try {
    execFileSync('psql', [url, '-q', '-c', `DROP SCHEMA IF EXISTS ${schema} CASCADE`], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    process.stderr.write(`bench: could not drop schema ${schema}; drop it by hand\n`);
  }
}

/**
 * A schema name no earlier run used; otpd's migrations create it when the first replica starts.
 * Registered for a synchronous drop (psql) in case the run is interrupted before dropSchema.
 */
export function newSchemaName(url: string): string {
  const schema = `otpd_bench_${randomBytes(6).toString('hex')}`;
  live.add(schema);
  addSyncCleanup(() => {
    if (live.delete(schema)) dropSync(url, schema);
  });
  return schema;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  if (!live.delete(schema)) return;
  await withClient(url, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

/** Row counts that show the run did what it claims (e.g. both replicas wrote to one schema). */
export async function schemaCounts(url: string, schema: string): Promise<Record<string, number>> {
  return withClient(url, async (c) => {
    const r = await c.query<{ v: string; m: string; d: string }>(
      `SELECT (SELECT count(*) FROM ${schema}.verifications) AS v, (SELECT count(*) FROM ${schema}.messages) AS m,
              (SELECT count(*) FROM ${schema}.dev_outbox) AS d`,
    );
    const row = r.rows[0];
    return { verifications: Number(row?.v ?? 0), messages: Number(row?.m ?? 0), devOutbox: Number(row?.d ?? 0) };
  });
}

/**
 * CPU (user + system) of every process named `postgres` on this machine, in microseconds:
 * backends, WAL writer, checkpointer, plus the children the postmaster has reaped (backends of
 * closed connections). A local server only; another client's load on it counts here too.
 */
export function pgCpuUs(): number {
  const tick = 1e6 / ticksPerSecond();
  let sum = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      sum += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * tick;
    } catch {
      /* process ended between readdir and read */
    }
  }
  return sum;
}
