// Edges of the Twilio-compatible API a review found: what another service, a deleted service, a
// JSON body, a used-up verification checked by To, or a malformed DeviceIp or PageToken get.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { accountSidOf } from '../../src/core/api-keys.ts';
import { mobile, startTestServer, type TestServer } from '../helpers/server.ts';
import { assertTwilioError, basic, form } from '../helpers/twilio.ts';

let s: TestServer;
let auth: string;
before(async () => {
  s = await startTestServer();
  auth = basic(accountSidOf('tenant-a'), s.key);
});
after(() => s.close());

const service = async (name: string) => (await form(s, 'POST', '/Services', auth, { FriendlyName: name })).body.sid;
const codeOf = async (to: string) => /: (\d+)$/.exec((await s.texts(to))[0] ?? '')?.[1] ?? '';

test('a check in another service by VerificationSid is 20404 and changes nothing of the verification', async () => {
  const [a, b] = [await service('A'), await service('B')];
  const to = mobile(801);
  const sid = (await form(s, 'POST', `/Services/${a}/Verifications`, auth, { To: to, Channel: 'sms' })).body.sid;
  const code = await codeOf(to);
  for (let i = 0; i < 6; i++)
    assertTwilioError(
      await form(s, 'POST', `/Services/${b}/VerificationCheck`, auth, { VerificationSid: sid, Code: code }),
      404,
      20404,
    );
  const fetched = await form(s, 'GET', `/Services/${a}/Verifications/${sid}`, auth);
  assert.equal(fetched.body.status, 'pending', 'neither approved nor out of attempts');
  const ok = await form(s, 'POST', `/Services/${a}/VerificationCheck`, auth, { To: to, Code: code });
  assert.deepEqual([ok.body.status, ok.body.valid], ['approved', true]);
});

test('checks by To after the attempts are spent answer 60202, as by VerificationSid', async () => {
  const svc = await service('Attempts');
  const to = mobile(802);
  await form(s, 'POST', `/Services/${svc}/Verifications`, auth, { To: to, Channel: 'sms' });
  const code = await codeOf(to);
  const wrong = code === '000000' ? '111111' : '000000';
  for (let i = 0; i < 5; i++)
    await form(s, 'POST', `/Services/${svc}/VerificationCheck`, auth, { To: to, Code: wrong });
  assertTwilioError(
    await form(s, 'POST', `/Services/${svc}/VerificationCheck`, auth, { To: to, Code: code }),
    429,
    60202,
  );
});

test("a deleted service's verifications are not found any more", async () => {
  const svc = await service('Deleted');
  const to = mobile(803);
  const sid = (await form(s, 'POST', `/Services/${svc}/Verifications`, auth, { To: to, Channel: 'sms' })).body.sid;
  assert.equal((await form(s, 'DELETE', `/Services/${svc}`, auth)).status, 204);
  assertTwilioError(await form(s, 'GET', `/Services/${svc}/Verifications/${sid}`, auth), 404, 20404);
  assertTwilioError(
    await form(s, 'POST', `/Services/${svc}/Verifications/${sid}`, auth, { Status: 'approved' }),
    404,
    20404,
  );
});

test('JSON bodies, a DeviceIp that is no address and a PageToken that is no cursor are 400s', async () => {
  const before = (await form(s, 'GET', '/Services', auth)).body.services.length;
  const json = { raw: JSON.stringify({ FriendlyName: 'Json' }), type: 'application/json' };
  assertTwilioError(await form(s, 'POST', '/Services', auth, json), 415, 60200);
  assert.equal((await form(s, 'GET', '/Services', auth)).body.services.length, before, 'nothing created');
  const svc = await service('Ip');
  const r = await form(s, 'POST', `/Services/${svc}/Verifications`, auth, {
    To: mobile(804),
    Channel: 'sms',
    DeviceIp: 'garbage',
  });
  assertTwilioError(r, 400, 60200, /DeviceIp/);
  assertTwilioError(await form(s, 'GET', '/Services?PageToken=garbage', auth), 400, 60200);
});
