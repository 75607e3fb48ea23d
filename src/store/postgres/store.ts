import type pg from 'pg';
import type { Store } from '../../core/ports/store.ts';
import { abuse } from './abuse.ts';
import { keys } from './keys.ts';
import { migratePg } from './migrations.ts';
import { outbox } from './outbox.ts';
import { createPool, type PgOptions } from './pool.ts';
import { retention } from './retention.ts';
import { services } from './services.ts';
import { verificationLookup, verifications } from './verifications.ts';
import { stats } from './stats.ts';
import { webhooks } from './webhooks.ts';

export type { PgOptions } from './pool.ts';

const operationsOn = (pool: pg.Pool) => ({
  ...verifications(pool),
  ...outbox(pool),
  ...keys(pool),
  ...abuse(pool),
  ...retention(pool),
  ...services(pool),
  ...verificationLookup(pool),
  ...webhooks(pool),
  ...stats(pool),
});

export interface PgStore extends ReturnType<typeof operationsOn> {}

/**
 * The shared store: any number of stateless otpd replicas use one PostgreSQL. Every guarantee of
 * the Store port holds across processes because each race-sensitive operation is one guarded
 * statement or one transaction that is correct under PostgreSQL's default READ COMMITTED; the
 * JSDoc in each aggregate (verifications.ts, outbox.ts, keys.ts, abuse.ts, retention.ts) says why.
 * The constructor assigns the aggregates' operations, typed exactly as the merged interface says.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: its methods are assigned in the constructor (see above)
export class PgStore {
  readonly #pool: pg.Pool;
  #closed: Promise<void> | undefined;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
    Object.assign(this, operationsOn(pool));
  }

  /** Opens a pool and applies pending migrations (safe when several replicas start at once). */
  static async open(o: PgOptions, now: number): Promise<PgStore> {
    const pool = createPool(o);
    try {
      await migratePg(pool, o.schema, now);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PgStore(pool);
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  close(): Promise<void> {
    this.#closed ??= this.#pool.end();
    return this.#closed;
  }
}

// Compile-time proof that the class and its assembled operations make a whole Store.
null as unknown as PgStore satisfies Store;
