import assert from 'node:assert/strict';
import type { Service } from '../../src/core/ports/services.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { newServiceId } from '../../src/core/services.ts';
import { T0, pairTest, storeTest, type StoreHarness } from './store.contract.ts';

const service = (o: Partial<Service> = {}): Service => ({
  id: newServiceId(),
  clientId: 'client-a',
  friendlyName: 'Shop',
  isDefault: false,
  settings: { codeLength: 8, channels: ['sms', 'email'], templates: { 'pt-BR': { sms: 'Código {code}' } } },
  createdAt: T0,
  updatedAt: T0,
  ...o,
});

/** Services: named configurations per client, isolated by client, paged, with one default each. */
export function servicesContract(name: string, h: StoreHarness): void {
  const withStore = storeTest(name, h);
  const withPair = pairTest(name, h);

  withStore('services: created, read back whole, and invisible to another client', async (s) => {
    const a = service();
    assert.equal(await s.createService(a), true);
    assert.deepEqual(await s.getService('client-a', a.id), a);
    assert.equal(await s.getService('client-b', a.id), null, "another client's service is not found");
    assert.equal(await s.getService('client-a', newServiceId()), null);
  });

  withStore('services: updated and deleted only by their client', async (s) => {
    const a = service();
    await s.createService(a);
    const settings = { ttlSeconds: 120 };
    assert.equal(await s.updateService('client-b', a.id, 'Theirs', settings, T0 + 1), false);
    assert.equal(await s.deleteService('client-b', a.id), false);
    assert.deepEqual(await s.getService('client-a', a.id), a, 'untouched by the other client');
    assert.equal(await s.updateService('client-a', a.id, 'Renamed', settings, T0 + 5), true);
    assert.deepEqual(await s.getService('client-a', a.id), {
      ...a,
      friendlyName: 'Renamed',
      settings,
      updatedAt: T0 + 5,
    });
    assert.equal(await s.deleteService('client-a', a.id), true);
    assert.equal(await s.getService('client-a', a.id), null);
    assert.equal(await s.deleteService('client-a', a.id), false);
  });

  withStore('services: listed in id order, a page at a time, one client only', async (s) => {
    const mine = Array.from({ length: 5 }, () => service());
    for (const x of mine) await s.createService(x);
    await s.createService(service({ clientId: 'client-b' }));
    const ids = mine.map((x) => x.id).sort();
    const first = await s.listServices('client-a', 2);
    assert.deepEqual(
      first.services.map((x) => x.id),
      ids.slice(0, 2),
    );
    const second = await s.listServices('client-a', 2, first.next);
    const third = await s.listServices('client-a', 2, second.next);
    assert.deepEqual(
      [...second.services, ...third.services].map((x) => x.id),
      ids.slice(2),
    );
    assert.equal(third.next, undefined, 'the last page has no next cursor');
    assert.equal((await s.listServices('client-c', 10)).services.length, 0);
  });

  withPair('services: racing first calls for a default service (two handles) all get the same one', async (a, b) => {
    const got = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? b : a).defaultService('client-a', T0, newServiceId())),
    );
    assert.equal(new Set(got.map((x) => x.id)).size, 1);
    assert.equal(got[0]!.isDefault, true);
    assert.deepEqual(got[0]!.settings, {});
    const again = await a.defaultService('client-a', T0 + 1, newServiceId());
    assert.equal(again.id, got[0]!.id);
    assert.notEqual((await a.defaultService('client-b', T0, newServiceId())).id, again.id, 'one per client');
    assert.equal(await a.createService(service({ isDefault: true })), false, 'a second default is refused');
  });
}

/** After the services migration: each client that had keys or verifications has one default service. */
export async function assertUpgradedServices(s: Store, clients: readonly string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const c of clients) {
    const { services } = await s.listServices(c, 10);
    assert.equal(services.length, 1, `${c}: one service`);
    assert.equal(services[0]!.isDefault, true);
    assert.equal(services[0]!.friendlyName, 'Default');
    assert.match(services[0]!.id, /^VA[0-9a-f]{32}$/);
    assert.equal((await s.defaultService(c, T0, newServiceId())).id, services[0]!.id, 'the same default after');
    ids.set(c, services[0]!.id);
  }
  return ids;
}

/** The columns of a verification in the first schema, for a row written before the services migration. */
export const LEGACY_VERIFICATION = `INSERT INTO verifications (id, client_id, phone_index, code_mac, key_id, status,
  max_attempts, created_at, expires_at) VALUES `;
