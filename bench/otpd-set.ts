/**
 * One set of otpd processes on one store (one process, or two replicas sharing a PostgreSQL
 * schema), with every abuse defence executing, and what the phases against it share.
 */
import { join } from 'node:path';
import type { OtpdProcess } from '../test/helpers/process.ts';
import { cfg, log, TARGET_LABEL, type TargetId } from './config.ts';
import type { StoreRef } from './db.ts';
import type { Phase } from './measure.ts';
import { newSchema, startServer, stopServer, tempDir } from './servers.ts';

/** What every target shares: one secret (replicas must agree on it) and the Bearer key. */
export interface Shared {
  readonly secret: string;
  readonly key: string;
}

/** Far above anything a run sends, and below each setting's maximum. */
const HIGH = '10000000';

/**
 * Every abuse check runs, its limit raised above the load instead of switched off, so that its cost
 * is in the figures: the client rate limit, the daily quota, the velocity limits per client, per IP
 * (the socket's address too: the generator connects directly, through no proxy), per network, per
 * prefix and per country, the conversion breaker (which judges only expired codes; a run's codes
 * outlive it), and the range guard in shadow mode: it reads and judges every send as it would in
 * production (the bench's numbers are never validated, so it would otherwise block them).
 */
export const ABUSE_ON: Readonly<Record<string, string>> = {
  OTPD_RATE_LIMIT_RPS: '1000000',
  OTPD_RATE_LIMIT_BURST: '1000000',
  OTPD_DAILY_MESSAGE_QUOTA: '1000000000',
  OTPD_VELOCITY_CLIENT: HIGH,
  OTPD_VELOCITY_IP: HIGH,
  OTPD_VELOCITY_IP_SCOPE: 'always',
  OTPD_VELOCITY_NET: HIGH,
  OTPD_VELOCITY_PREFIX: HIGH,
  OTPD_VELOCITY_COUNTRY: HIGH,
  OTPD_BREAKER: 'true',
  OTPD_RANGE_GUARD: 'true',
  OTPD_RANGE_GUARD_SHADOW: 'true',
};

/** The OTPD_* settings of a set on a fresh store (a new data dir, and on PostgreSQL a new schema). */
export function freshStore(s: Shared, id: TargetId): { env: Record<string, string>; store: StoreRef } {
  const dataDir = tempDir();
  const env: Record<string, string> = {
    ...ABUSE_ON,
    OTPD_DATA_DIR: dataDir,
    // otpd's default level, as a new user runs it: one JSON line per request is part of the cost.
    OTPD_LOG_LEVEL: 'info',
    OTPD_SECRET: s.secret,
    OTPD_BOOTSTRAP_KEY: s.key,
    // Pre-created verifications must outlive setup and a long window; the lifetime costs nothing.
    OTPD_CODE_TTL_SECONDS: '3600',
    OTPD_ALLOW_LONG_TTL: 'true',
  };
  if (id === 'sqlite') {
    const store: StoreRef = { kind: 'sqlite', file: join(dataDir, 'otpd.db') };
    return { env: cfg.synchronous ? { ...env, OTPD_SQLITE_SYNCHRONOUS: cfg.synchronous } : env, store };
  }
  const schema = newSchema();
  log(`schema ${schema} (created by otpd's migrations, dropped at the end)`);
  return {
    env: {
      ...env,
      OTPD_DATABASE_URL: cfg.pgUrl,
      OTPD_DATABASE_SCHEMA: schema,
      ...(cfg.pgPoolSize ? { OTPD_DATABASE_POOL_SIZE: cfg.pgPoolSize } : {}),
    },
    store: { kind: 'pg', url: cfg.pgUrl, schema },
  };
}

export interface OtpdSet {
  readonly urls: readonly string[];
  readonly store: StoreRef;
  /** The fields of a Phase that every phase against this set shares. */
  readonly common: Pick<Phase, 'target' | 'urls' | 'pids' | 'headers' | 'dbCpu'>;
}

/** Starts the set (two replicas for pg2), runs `fn` against it, and stops it however `fn` ends. */
export async function withOtpd<T>(
  s: Shared,
  id: TargetId,
  name: string,
  fresh: { env: Record<string, string>; store: StoreRef },
  fn: (set: OtpdSet) => Promise<T>,
  args: readonly string[] = ['serve'],
): Promise<T> {
  const names = id === 'pg2' ? [`${name}-1`, `${name}-2`] : [name];
  // Replicas start together, as a deployment's would (their migrations race on one schema).
  const started = await Promise.allSettled(names.map((n) => startServer(n, fresh.env, { readyPath: '/readyz', args })));
  const procs: OtpdProcess[] = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    for (const r of started) if (r.status === 'rejected') throw r.reason;
    const urls = procs.map((p) => p.url);
    return await fn({
      urls,
      store: fresh.store,
      common: {
        target: TARGET_LABEL[id],
        urls,
        pids: procs.map((p) => p.child.pid!),
        headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json' },
        // A local server's processes only: a remote one's CPU cannot be read from here.
        dbCpu: id !== 'sqlite' && ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(cfg.pgUrl).hostname),
      },
    });
  } finally {
    for (const [i, p] of procs.entries()) {
      const code = await stopServer(names[i]!, p);
      if (code !== 0) log(`  warning: ${names[i]} exited with ${code}; see .bench/${names[i]}.log`);
    }
  }
}
