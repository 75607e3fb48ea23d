import { after } from 'node:test';
import { PgStore } from '../../src/store/postgres/store.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { dropSchemas, freshSchema, PG_URL } from '../helpers/pg.ts';
import { outboxContract } from './outbox.contract.ts';
import { abuseContract } from './abuse.contract.ts';
import { retentionContract } from './retention.contract.ts';
import { storeContract, type StoreHarness } from './store.contract.ts';

// Each test gets its own schema in the real PostgreSQL; a second handle is a second pool on the
// same schema, i.e. what another replica would hold.
const schemas = new Map<Store, string>();
const used = new Set<string>();
const harness: StoreHarness = {
  async open() {
    const schema = freshSchema();
    used.add(schema);
    const s = await PgStore.open({ url: PG_URL, schema, poolSize: 8 }, Date.now());
    schemas.set(s, schema);
    return s;
  },
  async openSecond(first) {
    return PgStore.open({ url: PG_URL, schema: schemas.get(first)!, poolSize: 8 }, Date.now());
  },
};
after(() => dropSchemas(used));

storeContract('postgres', harness);
retentionContract('postgres', harness);
outboxContract('postgres', harness);
abuseContract('postgres', harness);
