import type Database from 'better-sqlite3';
import type { ApiKeyRecord } from '../../core/ports/store.ts';

export interface KeyRow {
  id: string;
  client_id: string;
  name: string;
  scopes: string;
  created_at: number;
  revoked_at: number | null;
}

export function rowToKey(r: KeyRow): ApiKeyRecord {
  return {
    id: r.id,
    clientId: r.client_id,
    name: r.name,
    scopes: JSON.parse(r.scopes) as string[],
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}

const COLUMNS = 'id, client_id, name, scopes, created_at, revoked_at';

export function keyQueries(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    byHash: p(`SELECT ${COLUMNS} FROM api_keys WHERE secret_hash = ?`),
    byId: p(`SELECT ${COLUMNS} FROM api_keys WHERE id = ?`),
    list: p(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`),
  };
}
