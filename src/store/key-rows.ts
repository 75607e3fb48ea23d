import type { ApiKeyRecord } from '../core/ports/store.ts';

/** An api_keys row as both SQL stores return it (scopes as JSON text, times in epoch ms). */
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

export const KEY_COLUMNS = 'id, client_id, name, scopes, created_at, revoked_at';
