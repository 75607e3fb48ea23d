import { test } from 'node:test';
import { camaraTemplate } from '../../src/api/camara/template.ts';
import assert from 'node:assert/strict';
import { OtpdError } from '../../src/core/errors.ts';
import { coreFixture, smsText } from '../helpers/core.ts';

const PHONE = '+34629255833';
const MSG = '{{code}} is your code';

async function rejectsWith(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (e: unknown) => e instanceof OtpdError && e.code === code);
}

test('a code expires exactly at its TTL, judged by the injected clock', async () => {
  const f = coreFixture();
  const { authenticationId } = await f.verifier.sendCode('c', { to: PHONE, template: smsText(MSG) });
  const code = f.lastCode();
  f.clock.advance(300_000);
  await rejectsWith(f.verifier.validateCode('c', authenticationId, code), 'VERIFICATION_CLOSED');

  const again = await f.verifier.sendCode('c', { to: PHONE, template: smsText(MSG) });
  const code2 = f.lastCode();
  f.clock.advance(299_999);
  await f.verifier.validateCode('c', again.authenticationId, code2);
});

test('the message is queued sealed, and the dispatcher is woken once per send', async () => {
  const f = coreFixture();
  await f.verifier.sendCode('c', { to: PHONE, template: smsText(MSG) });
  assert.equal(f.queued(), 1);
  const [m] = await f.store.claimMessages(f.clock.now(), 1000, 10);
  assert.ok(!m!.body.toString('latin1').includes(f.lastCode()));
  assert.equal(f.keys.decrypt(m!.verificationId, m!.body), `${f.lastCode()} is your code`);
});

test('test numbers get their fixed code, queue nothing, and still expire and count attempts', async () => {
  const f = coreFixture({ OTPD_TEST_NUMBERS: '+15005550006:424242' });
  const a = await f.verifier.sendCode('c', { to: '+15005550006', template: smsText(MSG) });
  assert.equal(a.test, true);
  assert.equal(f.queued(), 0);
  assert.deepEqual(await f.store.claimMessages(f.clock.now(), 1000, 10), []);
  await rejectsWith(f.verifier.validateCode('c', a.authenticationId, '000000'), 'CODE_INVALID');
  await f.verifier.validateCode('c', a.authenticationId, '424242');
  const b = await f.verifier.sendCode('c', { to: '+15005550006', template: smsText(MSG) });
  f.clock.advance(301_000);
  await rejectsWith(f.verifier.validateCode('c', b.authenticationId, '424242'), 'VERIFICATION_CLOSED');
});

test('numbers are refused before anything is stored: invalid, blocked, fixed-line, premium', async () => {
  const f = coreFixture({ OTPD_BLOCKED_NUMBERS: '+346292558' });
  await rejectsWith(f.verifier.sendCode('c', { to: '+3490212345', template: smsText(MSG) }), 'INVALID_ARGUMENT');
  await rejectsWith(f.verifier.sendCode('c', { to: PHONE, template: smsText(MSG) }), 'RECIPIENT_BLOCKED');
  await rejectsWith(f.verifier.sendCode('c', { to: '+442079460000', template: smsText(MSG) }), 'RECIPIENT_NOT_ALLOWED');
  await rejectsWith(f.verifier.sendCode('c', { to: '+19005550100', template: smsText(MSG) }), 'RECIPIENT_NOT_ALLOWED');
  assert.deepEqual(await f.store.claimMessages(f.clock.now(), 1000, 10), []);
});

test('CAMARA: the message must hold {{code}} and fit 160 characters with the code in', async () => {
  const f = coreFixture({ OTPD_CODE_LENGTH: '10' });
  const send = (to: string, message: string) => f.verifier.sendCode('c', { to, template: camaraTemplate(message) });
  assert.throws(
    () => camaraTemplate('no placeholder'),
    (e) => e instanceof OtpdError && e.code === 'INVALID_ARGUMENT',
  );
  await send(PHONE, `${'x'.repeat(150)}{{code}}`);
  await rejectsWith(send('+34629255834', `${'x'.repeat(151)}{{code}}`), 'INVALID_ARGUMENT');
  assert.equal(f.queued(), 1, 'nothing stored for the refused one');
});

test('a code shorter than any otpd code is OUT_OF_RANGE and spends no attempt', async () => {
  const f = coreFixture({ OTPD_MAX_ATTEMPTS: '1' });
  const { authenticationId } = await f.verifier.sendCode('c', { to: PHONE, template: smsText(MSG) });
  const code = f.lastCode();
  for (let i = 0; i < 5; i++) await rejectsWith(f.verifier.validateCode('c', authenticationId, '12'), 'OUT_OF_RANGE');
  await f.verifier.validateCode('c', authenticationId, code);
});

test('spaces and dashes are dropped before the comparison; what is left malformed spends no attempt', async () => {
  const f = coreFixture({ OTPD_MAX_ATTEMPTS: '1' });
  const { authenticationId } = await f.verifier.sendCode('c', { to: PHONE, template: smsText(MSG) });
  const code = f.lastCode();
  for (const bad of [' 123 ', '1-2-3', '12345!', '12345678901', 'code: 1234']) {
    await assert.rejects(
      f.verifier.validateCode('c', authenticationId, bad),
      (e: unknown) => e instanceof OtpdError && (e.code === 'OUT_OF_RANGE' || e.code === 'INVALID_ARGUMENT'),
      bad,
    );
  }
  await f.verifier.validateCode('c', authenticationId, ` ${code.slice(0, 3)}-${code.slice(3)} `);
});

test('send limits map to SEND_LIMIT_EXCEEDED with a retry hint, quota to QUOTA_EXCEEDED', async () => {
  const f = coreFixture({ OTPD_SEND_LIMIT_15M: '2', OTPD_DAILY_MESSAGE_QUOTA: '3' });
  await f.verifier.sendCode('c', { to: PHONE, template: smsText(MSG) });
  await f.verifier.sendCode('c', { to: PHONE, template: smsText(MSG) });
  await assert.rejects(
    f.verifier.sendCode('c', { to: PHONE, template: smsText(MSG) }),
    (e: unknown) => e instanceof OtpdError && e.code === 'SEND_LIMIT_EXCEEDED' && e.retryAfterSeconds === 900,
  );
  f.clock.advance(15 * 60_000);
  await f.verifier.sendCode('c', { to: PHONE, template: smsText(MSG) });
  await assert.rejects(
    f.verifier.sendCode('c', { to: '+34629255834', template: smsText(MSG) }),
    (e: unknown) => e instanceof OtpdError && e.code === 'QUOTA_EXCEEDED' && (e.retryAfterSeconds ?? 0) > 0,
  );
});
