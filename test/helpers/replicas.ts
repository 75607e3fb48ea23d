import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnOtpd, type OtpdProcess } from './process.ts';
import { dropSchemas, freshSchema, PG_URL, withPg } from './pg.ts';

export const REPLICA_KEY = 'replicas-bootstrap-key-0123456789-abcdef';
const SECRET = 'replicas-secret-0123456789-0123456789-abcdef';

export interface Reply {
  status: number;
  body: any;
}

/** One HTTP call to a replica with the shared bootstrap key. */
export async function call(url: string, method: string, path: string, body?: unknown): Promise<Reply> {
  const res = await fetch(url + path, {
    method,
    headers: {
      authorization: `Bearer ${REPLICA_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export interface Cluster {
  readonly schema: string;
  readonly env: Record<string, string>;
  readonly replicas: OtpdProcess[];
  /** Starts one more replica on the same database. */
  add(extra?: Record<string, string>): Promise<OtpdProcess>;
  /** Runs SQL against the cluster's schema. */
  sql<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Starts `n` real `otpd serve` processes at once (so their migrations race) on different ports,
 * sharing one PostgreSQL schema, one secret and one bootstrap key; each has its own data dir.
 */
export async function startCluster(n: number, extra: Record<string, string> = {}): Promise<Cluster> {
  const schema = freshSchema('otpd_r');
  const dirs: string[] = [];
  const env = {
    OTPD_DATABASE_URL: PG_URL,
    OTPD_DATABASE_SCHEMA: schema,
    OTPD_SECRET: SECRET,
    OTPD_BOOTSTRAP_KEY: REPLICA_KEY,
    OTPD_RATE_LIMIT_RPS: '0',
    OTPD_DISPATCH_POLL_MS: '50',
    ...extra,
  };
  const replicas: OtpdProcess[] = [];
  const add = async (more: Record<string, string> = {}) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'otpd-replica-'));
    dirs.push(dataDir);
    const p = await spawnOtpd({ ...env, OTPD_DATA_DIR: dataDir, ...more });
    replicas.push(p);
    return p;
  };
  // allSettled, not all: when one replica fails to start, the others must have finished starting
  // before they are killed, or one left running keeps the test process alive.
  const started = await Promise.allSettled(Array.from({ length: n }, () => add()));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(replicas.map((r) => r.kill9()));
    await dropSchemas([schema]);
    throw failed.reason;
  }
  return {
    schema,
    env,
    replicas,
    add,
    sql: (text, values) =>
      withPg(async (c) => {
        await c.query(`SET search_path = ${schema}`);
        return (await c.query(text, values)).rows;
      }),
    async close() {
      await Promise.all(
        replicas.map((r) => (r.child.exitCode === null && r.child.signalCode === null ? r.stop() : undefined)),
      );
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
      await dropSchemas([schema]);
    },
  };
}

/** Polls `check` until it returns a value; fails after `tries` × 25 ms. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, tries = 400): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
