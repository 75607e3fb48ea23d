import type pg from 'pg';
import type { SlotLease, SlotLeases } from '../../core/ports/leases.ts';

/**
 * Slots as PostgreSQL session advisory locks (hashtext(key), slot), each held on a connection of
 * its own for as long as the lease lives: a replica that dies, or loses that connection, frees its
 * slots without a word, and another replica takes them on its next try.
 */
export class PgSlotLeases implements SlotLeases {
  readonly #pool: pg.Pool;
  /** Held leases' releases: closing gives their connections back, or the pool would wait for them. */
  readonly #held = new Set<() => Promise<void>>();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async hold(key: string, slots: number): Promise<SlotLease | undefined> {
    const c = await this.#pool.connect();
    try {
      for (let slot = 0; slot < slots; slot++) {
        const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), $2) AS ok', [key, slot]);
        if (r.rows[0]!.ok) {
          let released: Promise<void> | undefined;
          const release = () => {
            released ??= this.#release(c, key, slot).finally(() => this.#held.delete(release));
            return released;
          };
          this.#held.add(release);
          return { slot, release };
        }
      }
    } catch (err) {
      c.release(true);
      throw err;
    }
    c.release();
    return undefined;
  }

  async #release(c: pg.PoolClient, key: string, slot: number): Promise<void> {
    try {
      await c.query('SELECT pg_advisory_unlock(hashtext($1), $2)', [key, slot]);
      c.release();
    } catch {
      // The connection is gone, and the lock with it.
      c.release(true);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#held].map((release) => release()));
    await this.#pool.end();
  }
}
