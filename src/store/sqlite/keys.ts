import type Database from 'better-sqlite3';
import type { ApiKeyRecord, KeyCheck } from '../../core/ports/store.ts';
import { KEY_COLUMNS, KEY_INSERT_COLUMNS, KEY_UPSERT_SET, keyValues, toKey, type KeyRow } from '../rows.ts';

/**
 * Whether `key` is still the live key of `clientId` (with its secret, when it has one): see KeyCheck.
 * On the write connection it reads inside the write's transaction, so a revoke the CLI committed
 * before is seen.
 */
export function liveKeyCheck(db: Database.Database) {
  const live = db
    .prepare(
      `SELECT 1 FROM api_keys WHERE id = @id AND client_id = @client AND revoked_at IS NULL
        AND (@hash IS NULL OR secret_hash = @hash)`,
    )
    .pluck();
  return (clientId: string, key: KeyCheck): boolean =>
    live.get({ id: key.id, client: clientId, hash: key.secretHash ?? null }) !== undefined;
}

/** API key writes, on the one write connection (see writes.ts). */
export function keyWrites(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const q = {
    insert: p(`INSERT INTO api_keys (${KEY_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    upsert: p(`INSERT INTO api_keys (${KEY_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET ${KEY_UPSERT_SET}`),
    revoke: p('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    exists: p('SELECT 1 FROM api_keys WHERE id = ?').pluck(),
  };
  return {
    createApiKey: (k: ApiKeyRecord, secretHash: Buffer): void => void q.insert.run(...keyValues(k, secretHash)),
    upsertApiKey: (k: ApiKeyRecord, secretHash: Buffer): void => void q.upsert.run(...keyValues(k, secretHash)),
    /** An already revoked key keeps its first revocation time and still answers true. */
    revokeApiKey: (id: string, now: number): boolean =>
      q.revoke.run(now, id).changes === 1 || q.exists.get(id) !== undefined,
  };
}

/** API key reads: the current committed row on every call, so a revoke by any process applies to the next request. */
export function keyReads(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const q = {
    byHash: p(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE secret_hash = ?`),
    byId: p(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = ?`),
    list: p(`SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY created_at, id`),
  };
  const one = (r: unknown) => (r ? toKey(r as KeyRow) : null);
  return {
    findApiKeyBySecretHash: (secretHash: Buffer): ApiKeyRecord | null => one(q.byHash.get(secretHash)),
    findApiKeyById: (id: string): ApiKeyRecord | null => one(q.byId.get(id)),
    listApiKeys: (): ApiKeyRecord[] => (q.list.all() as KeyRow[]).map(toKey),
  };
}
