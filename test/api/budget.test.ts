// The daily spend budget in money: gateway prices (per segment, per country) decide what each
// message costs; past the client's budget send-code is 429 QUOTA_EXCEEDED and nothing is queued.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEND, mobile, startTestServer } from '../helpers/server.ts';

test('money budget: prices per segment and per country; over budget 429 QUOTA_EXCEEDED with Retry-After', async (t) => {
  const s = await startTestServer(
    {},
    {
      configYaml: `
limits: { dailyBudget: 0.25 }
delivery:
  gateways: [{ id: dev, type: dev-outbox, pricePerSegment: 0.05, countryPrices: { FR: 0.2 } }]
`,
    },
  );
  t.after(() => s.close());
  const send = (phone: string, message = 'code {{code}}') => s.post(SEND, { phoneNumber: phone, message });
  assert.equal((await send(mobile(1))).status, 200, '0.05 spent');
  assert.equal(
    (await send(mobile(2), `Código {{code}} ${'ñ'.repeat(60)}`)).status,
    200,
    'two UCS-2 segments: 0.10 more',
  );
  const fr = await send('+33612345678');
  assert.equal(fr.status, 429, 'France costs 0.20: 0.35 would pass the 0.25 budget');
  assert.equal(fr.body.code, 'QUOTA_EXCEEDED');
  assert.ok(Number(fr.headers.get('retry-after')) > 0);
  assert.equal((await send(mobile(3))).status, 200, 'a cheaper message still fits: 0.20 spent');
  assert.equal((await send(mobile(4))).status, 200, '0.25 spent, exactly the budget');
  assert.equal((await send(mobile(5))).status, 429);
  assert.equal((await s.server.store.listMessages({ limit: 10 })).length, 4, 'a refused send queues nothing');
  const other = await s.createKey();
  assert.equal(
    (await s.post(SEND, { phoneNumber: mobile(6), message: 'code {{code}}' }, { key: other.secret })).status,
    200,
    'the budget is per client',
  );
  s.clock.advance(86_400_000);
  assert.equal((await send(mobile(7))).status, 200, 'a new UTC day, a new budget');
});
