// SlotLeases, in memory (one process) and on PostgreSQL (two pools over one schema: two replicas).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SlotLeases } from '../../src/core/ports/leases.ts';
import { MemorySlotLeases } from '../../src/store/memory/slot-leases.ts';
import { createPool } from '../../src/store/postgres/pool.ts';
import { PgSlotLeases } from '../../src/store/postgres/slot-leases.ts';
import { dropSchemas, freshSchema, PG_URL } from '../helpers/pg.ts';

const used = new Set<string>();
after(() => dropSchemas(used));

function leasesContract(name: string, open: () => Promise<{ a: SlotLeases; b: SlotLeases; close(): Promise<void> }>) {
  test(`${name}: slots are held once each, over every holder, and freed by release`, async () => {
    const { a, b, close } = await open();
    try {
      const key = `account-${Math.random().toString(36).slice(2)}`;
      const first = await a.hold(key, 2);
      const second = await b.hold(key, 2);
      assert.deepEqual([first?.slot, second?.slot].sort(), [0, 1]);
      assert.equal(await a.hold(key, 2), undefined, 'both slots are held');
      assert.equal(await b.hold(key, 2), undefined);
      assert.equal((await a.hold(`${key}-other`, 2))?.slot, 0, 'keys are independent');
      await first!.release();
      assert.equal((await b.hold(key, 2))?.slot, first!.slot, 'a released slot is free for the others');
    } finally {
      await close();
    }
  });
}

leasesContract('memory leases', async () => {
  const one = new MemorySlotLeases();
  return { a: one, b: one, close: async () => {} };
});

leasesContract('postgres leases (two replicas)', async () => {
  const schema = freshSchema();
  used.add(schema);
  const [a, b] = [0, 1].map(() => new PgSlotLeases(createPool({ url: PG_URL, schema, poolSize: 4 })));
  return { a: a!, b: b!, close: () => Promise.all([a!.close(), b!.close()]).then(() => undefined) };
});
