import type pg from 'pg';
import type { Service, ServicePage, ServiceSettings } from '../../core/ports/services.ts';
import { SERVICE_COLUMNS, serviceValues, toService, type ServiceRow } from '../rows.ts';

const INSERT = `INSERT INTO services (${SERVICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`;

/** Services in PostgreSQL: each operation is one statement, guarded by the client id. */
export const services = (pool: pg.Pool) => ({
  async createService(s: Service): Promise<boolean> {
    return (await pool.query(INSERT, [...serviceValues(s)])).rowCount === 1;
  },

  /**
   * The partial unique index (one default per client) arbitrates racing inserts: the loser's
   * ON CONFLICT DO NOTHING inserts nothing, and the read that follows sees the winner's committed row.
   */
  async defaultService(clientId: string, now: number, candidateId: string): Promise<Service> {
    const read = () =>
      pool.query<ServiceRow>(`SELECT ${SERVICE_COLUMNS} FROM services WHERE client_id = $1 AND is_default`, [clientId]);
    const found = (await read()).rows[0];
    if (found) return toService(found);
    const s: Service = {
      id: candidateId,
      clientId,
      friendlyName: 'Default',
      isDefault: true,
      settings: {},
      createdAt: now,
      updatedAt: now,
    };
    await pool.query(INSERT, [...serviceValues(s)]);
    return toService((await read()).rows[0]!);
  },

  async getService(clientId: string, id: string): Promise<Service | null> {
    const r = await pool.query<ServiceRow>(`SELECT ${SERVICE_COLUMNS} FROM services WHERE id = $1 AND client_id = $2`, [
      id,
      clientId,
    ]);
    return r.rows[0] ? toService(r.rows[0]) : null;
  },

  async listServices(clientId: string, limit: number, after?: string): Promise<ServicePage> {
    const r = await pool.query<ServiceRow>(
      `SELECT ${SERVICE_COLUMNS} FROM services WHERE client_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [clientId, after ?? '', limit + 1],
    );
    const list = r.rows.slice(0, limit).map(toService);
    return { services: list, next: r.rows.length > limit ? list.at(-1)?.id : undefined };
  },

  async updateService(
    clientId: string,
    id: string,
    friendlyName: string,
    settings: ServiceSettings,
    now: number,
  ): Promise<boolean> {
    const r = await pool.query(
      'UPDATE services SET friendly_name = $1, settings = $2, updated_at = $3 WHERE id = $4 AND client_id = $5',
      [friendlyName, JSON.stringify(settings), now, id, clientId],
    );
    return r.rowCount === 1;
  },

  async deleteService(clientId: string, id: string): Promise<boolean> {
    return (await pool.query('DELETE FROM services WHERE id = $1 AND client_id = $2', [id, clientId])).rowCount === 1;
  },
});
