import type Database from 'better-sqlite3';
import type { Service, ServicePage, ServiceSettings } from '../../core/ports/services.ts';
import { SERVICE_COLUMNS, serviceValues, toService, type ServiceRow } from '../rows.ts';

const row = (v: ReturnType<typeof serviceValues>) => [v[0], v[1], v[2], v[3] ? 1 : 0, v[4], v[5], v[6]] as const;

/** Service writes, on the one write connection (see writes.ts): each is one statement. */
export function serviceWrites(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const q = {
    insert: p(`INSERT INTO services (${SERVICE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
    byDefault: p(`SELECT ${SERVICE_COLUMNS} FROM services WHERE client_id = ? AND is_default`),
    update: p('UPDATE services SET friendly_name = ?, settings = ?, updated_at = ? WHERE id = ? AND client_id = ?'),
    remove: p('DELETE FROM services WHERE id = ? AND client_id = ?'),
  };
  return {
    createService: (s: Service): boolean => q.insert.run(...row(serviceValues(s))).changes === 1,
    /** Insert-if-absent and read back in one write: the serialised writer makes it atomic. */
    defaultService(clientId: string, now: number, id: string): Service {
      const found = q.byDefault.get(clientId) as ServiceRow | undefined;
      if (found) return toService(found);
      const s: Service = {
        id,
        clientId,
        friendlyName: 'Default',
        isDefault: true,
        settings: {},
        createdAt: now,
        updatedAt: now,
      };
      q.insert.run(...row(serviceValues(s)));
      return s;
    },
    updateService: (clientId: string, id: string, name: string, settings: ServiceSettings, now: number): boolean =>
      q.update.run(name, JSON.stringify(settings), now, id, clientId).changes === 1,
    deleteService: (clientId: string, id: string): boolean => q.remove.run(id, clientId).changes === 1,
  };
}

export function serviceReads(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  const q = {
    get: p(`SELECT ${SERVICE_COLUMNS} FROM services WHERE id = ? AND client_id = ?`),
    page: p(`SELECT ${SERVICE_COLUMNS} FROM services WHERE client_id = ? AND id > ? ORDER BY id LIMIT ?`),
  };
  return {
    getService(clientId: string, id: string): Service | null {
      const r = q.get.get(id, clientId) as ServiceRow | undefined;
      return r ? toService(r) : null;
    },
    listServices(clientId: string, limit: number, after?: string): ServicePage {
      const rows = q.page.all(clientId, after ?? '', limit + 1) as ServiceRow[];
      const services = rows.slice(0, limit).map(toService);
      return { services, next: rows.length > limit ? services.at(-1)?.id : undefined };
    },
  };
}
