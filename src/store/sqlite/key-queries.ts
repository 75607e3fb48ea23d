import type Database from 'better-sqlite3';
import { KEY_COLUMNS } from '../key-rows.ts';

export { rowToKey, type KeyRow } from '../key-rows.ts';

export function keyQueries(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    byHash: p(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE secret_hash = ?`),
    byId: p(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = ?`),
    list: p(`SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY created_at, id`),
  };
}
