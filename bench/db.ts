/**
 * Reads what otpd stored, from outside otpd: the SQLite file opened read-only (WAL lets it read
 * while otpd writes), or the target's PostgreSQL schema. The same SQL runs on both; numbers come
 * back as numbers (node-postgres returns BIGINT as text).
 */
import Database from 'better-sqlite3';
import { withPg } from '../test/helpers/pg.ts';

export type StoreRef =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'pg'; readonly url: string; readonly schema: string };

type Row = Record<string, unknown>;
const INT8 = 20;
const NUMERIC = 1700;

/** Runs one SELECT with `?` placeholders and returns its rows, BIGINT columns as numbers. */
export async function select(s: StoreRef, sql: string, params: readonly unknown[] = []): Promise<Row[]> {
  if (s.kind === 'sqlite') {
    const db = new Database(s.file, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all(...params) as Row[];
    } finally {
      db.close();
    }
  }
  let i = 0;
  const text = sql.replace(/\?/g, () => `$${++i}`);
  return withPg(async (c) => {
    // BIGINT (epoch ms, count(*)) and NUMERIC (sum of BIGINT) arrive as text by default; they are
    // far below 2^53 here.
    for (const oid of [INT8, NUMERIC]) c.setTypeParser(oid, 'text', Number);
    await c.query(`SET search_path TO ${s.schema}`);
    return (await c.query(text, [...params])).rows as Row[];
  }, s.url);
}
