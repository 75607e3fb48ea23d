import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The machine's PostgreSQL (CI starts it); override with OTPD_TEST_DATABASE_URL. */
export const PG_URL = process.env.OTPD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other test uses; every PostgreSQL test works in its own. */
export function freshSchema(prefix = 'otpd_t'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Runs SQL on the test database (or `url`) outside any store (to inspect or disturb what a server did). */
export async function withPg<T>(fn: (c: pg.Client) => Promise<T>, url = PG_URL): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function dropSchemas(names: Iterable<string>, url = PG_URL): Promise<void> {
  const list = [...names];
  if (list.length === 0) return;
  await withPg(async (c) => {
    for (const n of list) await c.query(`DROP SCHEMA IF EXISTS ${n} CASCADE`);
  }, url);
}
