import type pg from 'pg';
import type { ApiKeyRecord } from '../../core/ports/store.ts';
import { advisoryLockKey, inTransaction } from './pool.ts';
import { KEY_COLUMNS, KEY_INSERT_COLUMNS, KEY_UPSERT_SET, keyValues, toKey, type KeyRow } from '../rows.ts';

const one = (r: pg.QueryResult<KeyRow>) => (r.rows[0] ? toKey(r.rows[0]) : null);

/** API keys in PostgreSQL: every read is the committed row, so a revoke on any replica applies to the next request. */
export const keys = (pool: pg.Pool) => ({
  async createApiKey(k: ApiKeyRecord, secretHash: Buffer): Promise<void> {
    await pool.query(`INSERT INTO api_keys (${KEY_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      ...keyValues(k, secretHash),
    ]);
  },

  /**
   * Replicas starting together converge on one row. ON CONFLICT arbitrates on the id alone: two
   * first inserts of one key at once would still collide on the unique secret hash, so the upsert
   * holds a transaction lock on the key id, and the second sees the first's row and updates it.
   */
  async upsertApiKey(k: ApiKeyRecord, secretHash: Buffer): Promise<void> {
    await inTransaction(pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryLockKey('api-key', k.id)]);
      await c.query(
        `INSERT INTO api_keys (${KEY_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET ${KEY_UPSERT_SET}`,
        [...keyValues(k, secretHash)],
      );
    });
  },

  findApiKeyBySecretHash: async (secretHash: Buffer): Promise<ApiKeyRecord | null> =>
    one(
      await pool.query<KeyRow>({
        name: 'otpd_key_by_hash',
        text: `SELECT ${KEY_COLUMNS} FROM api_keys WHERE secret_hash = $1`,
        values: [secretHash],
      }),
    ),

  findApiKeyById: async (id: string): Promise<ApiKeyRecord | null> =>
    one(
      await pool.query<KeyRow>({
        name: 'otpd_key_by_id',
        text: `SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1`,
        values: [id],
      }),
    ),

  listApiKeys: async (): Promise<ApiKeyRecord[]> =>
    (await pool.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys ORDER BY created_at, id`)).rows.map(toKey),

  /** A guarded UPDATE (`revoked_at IS NULL`): of concurrent revokes the first time wins. */
  async revokeApiKey(id: string, now: number): Promise<boolean> {
    const r = await pool.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [now, id]);
    return r.rowCount === 1 || (await pool.query('SELECT 1 FROM api_keys WHERE id = $1', [id])).rowCount === 1;
  },
});
