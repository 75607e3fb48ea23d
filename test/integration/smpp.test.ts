import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import smpp from 'smpp';
import { ManualClock } from '../../src/core/clock.ts';
import type { OutboundMessage, ReceiptInput, SendResult } from '../../src/core/ports/gateway.ts';
import { Dispatcher, type DispatcherOptions } from '../../src/delivery/dispatcher.ts';
import { GatewayPool } from '../../src/delivery/gateway-pool.ts';
import { SmppGateway, type SmppGatewayConfig } from '../../src/gateways/smpp/smpp-gateway.ts';
import { relativeValidity } from '../../src/gateways/smpp/params.ts';
import { LibPhoneNumberInspector } from '../../src/phone/libphonenumber.ts';
import { coreFixture, smsText } from '../helpers/core.ts';
import { testDispatcher } from '../helpers/dispatch.ts';
import { TestSmsc, smppConfig } from '../helpers/smsc.ts';

// Every test runs the gateway against a real SMSC (the smpp package's server mode) on 127.0.0.1.

const TO = '+34629255833';
const never = new AbortController().signal;
let seq = 0;
const msg = (text: string): OutboundMessage => ({ id: `msg-${++seq}`, channel: 'sms', to: TO, text });

/** An SMSC and a gateway bound to it, both stopped when the test ends. */
async function setup(t: TestContext, overrides: Partial<SmppGatewayConfig> = {}) {
  const smsc = await TestSmsc.start();
  const clock = new ManualClock();
  const warnings: string[] = [];
  const gw = new SmppGateway(smppConfig(smsc, overrides), {
    clock,
    log: { warn: (_o, m) => warnings.push(m), info() {} },
  });
  t.after(async () => {
    await gw.close();
    await smsc.stop();
  });
  return { smsc, gw, clock, warnings };
}

const okId = (r: SendResult): string => {
  assert.ok(r.ok, JSON.stringify(r));
  return r.ok ? r.providerMessageId : '';
};

test('binds as an SMPP 3.4 transceiver and submits to an international number with a receipt requested', async (t) => {
  const { smsc, gw } = await setup(t);
  const r = await gw.send(msg('Your code is 123456'), never);
  assert.deepEqual(r, { ok: true, providerMessageId: smsc.messages[0]!.messageId, segments: 1 });
  assert.deepEqual(smsc.binds, [
    { as: 'transceiver', systemId: 'otpd', systemType: 'OTP', interfaceVersion: 0x34, accepted: true },
  ]);
  const { at: _at, ...submit } = smsc.submits[0]!;
  assert.deepEqual(submit, {
    to: '34629255833',
    destTon: 1,
    destNpi: 1,
    source: 'OTPD',
    sourceTon: 5,
    sourceNpi: 0,
    dataCoding: 0,
    esmClass: 0,
    registeredDelivery: 1,
    validityPeriod: undefined,
    serviceType: '',
    protocolId: 0,
    priorityFlag: 0,
    replaceIfPresent: 0,
    tlvs: {},
    concat: undefined,
    units: 19,
    text: 'Your code is 123456',
  });
});

test('a short code goes out as network specific (TON 3, NPI 0)', async (t) => {
  const { smsc, gw } = await setup(t, { sourceAddr: '54321' });
  okId(await gw.send(msg('code 2'), never));
  assert.deepEqual([smsc.submits[0]!.source, smsc.submits[0]!.sourceTon, smsc.submits[0]!.sourceNpi], ['54321', 3, 0]);
});

test('operator options and vendor TLVs on every submit_sm (India DLT: PE_ID 0x1400, template id 0x1401)', async (t) => {
  const { smsc, gw } = await setup(t, {
    serviceType: 'OTP',
    protocolId: 0,
    priorityFlag: 1,
    replaceIfPresent: true,
    tlvs: [
      { tag: 0x1400, value: '1201160000000000000', encoding: 'cstring' },
      { tag: 0x1401, value: '1307160000000000000', encoding: 'string' },
      { tag: 0x1402, value: 'c0ffee', encoding: 'hex' },
    ],
  });
  okId(await gw.send(msg('code 3'), never));
  const s = smsc.submits[0]!;
  assert.deepEqual([s.serviceType, s.protocolId, s.priorityFlag, s.replaceIfPresent], ['OTP', 0, 1, 1]);
  assert.deepEqual(
    Object.fromEntries(Object.entries(s.tlvs).map(([k, v]) => [Number(k).toString(16), v.toString('hex')])),
    {
      '1400': Buffer.from('1201160000000000000\0').toString('hex'),
      '1401': Buffer.from('1307160000000000000').toString('hex'),
      '1402': 'c0ffee',
    },
  );
});

test('textEncoding for SMSCs whose default alphabet is not GSM 03.38: Latin-1, ASCII, or always UCS-2', async (t) => {
  const cases: [SmppGatewayConfig['textEncoding'], string, number][] = [
    ['latin1', 'Ihr Code für España: 123456 (é, ñ)', 3],
    ['latin1', 'Δ code 123456', 8], // GSM-7, but Δ has no Latin-1 code
    ['ascii', 'code 123456', 1],
    ['ascii', 'código 123456', 8],
    ['ucs2', 'code 123456', 8],
  ];
  for (const [textEncoding, text, dataCoding] of cases) {
    const { smsc, gw } = await setup(t, { textEncoding });
    okId(await gw.send(msg(text), never));
    assert.deepEqual(
      [smsc.messages[0]!.dataCoding, smsc.messages[0]!.text],
      [dataCoding, text],
      `${textEncoding}: ${text}`,
    );
  }
});

test('several binds: each message goes whole over one bind, the binds taking turns', async (t) => {
  const { smsc, gw } = await setup(t, { binds: 3 });
  await smsc.waitFor('three binds', () => smsc.boundSessions === 3);
  assert.deepEqual(
    smsc.binds.map((b) => [b.as, b.accepted]),
    Array(3).fill(['transceiver', true]),
  );
  for (let i = 0; i < 6; i++) okId(await gw.send(msg(`code ${i}`), never));
  assert.deepEqual(smsc.submitsPerSession, [2, 2, 2]);
});

test('bindMode separate: transmitters submit, one receiver takes the receipts', async (t) => {
  const { smsc, gw } = await setup(t, { binds: 2, bindMode: 'separate' });
  await smsc.waitFor('three binds', () => smsc.boundSessions === 3);
  assert.deepEqual(smsc.binds.map((b) => b.as).sort(), ['receiver', 'transmitter', 'transmitter']);
  const receipts: string[] = [];
  gw.onReceipt((r) => receipts.push(`${r.providerMessageId}:${r.status}`));
  const r = okId(await gw.send(msg('code 4'), never));
  await smsc.receipt(r, 'DELIVRD');
  await smsc.waitFor('the receipt', () => receipts.length === 1);
  assert.deepEqual(receipts, [`${r}:delivered`]);
  assert.equal(gw.health().up, true);
});

test('validity_period: the relative format, whole seconds, capped at 99 days', () => {
  assert.equal(relativeValidity(300_000), '000000000500000R');
  assert.equal(relativeValidity(90_061_999), '000001010101000R', '1 day, 1 h, 1 min, 1 s (ms cut off)');
  assert.equal(relativeValidity(-5), '000000000001000R', 'at least one second');
  assert.equal(relativeValidity(200 * 86_400_000), '000099000000000R');
});

test('a numeric sender goes out as an international number without its +', async (t) => {
  const { smsc, gw } = await setup(t, { sourceAddr: '+447700900123' });
  okId(await gw.send(msg('code 1'), never));
  assert.deepEqual(
    [smsc.submits[0]!.source, smsc.submits[0]!.sourceTon, smsc.submits[0]!.sourceNpi],
    ['447700900123', 1, 1],
  );
});

test(
  'delivery receipts (TLVs or the Appendix B text) become delivered, failed and expired; ' +
    'intermediate ones are ignored',
  async (t) => {
    const { smsc, gw, clock } = await setup(t);
    const got: ReceiptInput[] = [];
    gw.onReceipt((r) => got.push(r));
    const [a, b, c] = [
      okId(await gw.send(msg('Your code is 123456'), never)),
      okId(await gw.send(msg('Your code is 654321'), never)),
      okId(await gw.send(msg('x'), never)),
    ];
    // Each receipt() resolves on the gateway's deliver_sm_resp, which follows the listener call.
    assert.deepEqual(
      await Promise.all([
        smsc.receipt(a, 'ENROUTE'),
        smsc.receipt(a, 'ACCEPTD', { tlvs: false }),
        smsc.receipt(a, 'DELIVRD'),
        smsc.receipt(b, 'UNDELIV', { tlvs: false, err: '011' }),
        smsc.receipt(c, 'EXPIRED'),
      ]),
      [0, 0, 0, 0, 0],
    );
    assert.deepEqual(got, [
      { providerMessageId: a, status: 'delivered', error: undefined, at: clock.now() },
      { providerMessageId: b, status: 'failed', error: 'stat:UNDELIV err:011', at: clock.now() },
      { providerMessageId: c, status: 'expired', error: 'stat:EXPIRED err:000', at: clock.now() },
    ]);
    assert.ok(!JSON.stringify(got).includes('654321'), 'the receipt text (which repeats the code) is never copied');
  },
);

test('a text outside GSM-7 goes out as UCS-2 (data_coding 8) and arrives unchanged', async (t) => {
  const { smsc, gw } = await setup(t);
  const text = 'Код 482913 — ваш код ✓ ç 😀';
  assert.equal((await gw.send(msg(text), never)).ok, true);
  assert.deepEqual(
    [smsc.submits[0]!.dataCoding, smsc.submits[0]!.units, smsc.messages[0]!.text],
    [8, text.length, text],
  );
});

test('long GSM-7 texts are sent as concatenated parts of 153 septets, never splitting an escape pair', async (t) => {
  const { smsc, gw } = await setup(t);
  const plain = 'x'.repeat(400);
  const straddling = `${'a'.repeat(152)}€${'b'.repeat(246)}`;
  const r1 = await gw.send(msg(plain), never);
  const r2 = await gw.send(msg(straddling), never);
  assert.deepEqual([r1.ok && r1.segments, r2.ok && r2.segments], [3, 3]);
  assert.deepEqual(
    smsc.messages.map((m) => [m.text, m.parts, m.dataCoding]),
    [
      [plain, 3, 0],
      [straddling, 3, 0],
    ],
  );
  assert.deepEqual(
    smsc.submits.map((s) => s.units),
    [153, 153, 94, 152, 153, 95],
  );
  assert.deepEqual(
    smsc.submits.map((s) => [s.concat?.total, s.concat?.seq, s.esmClass, s.registeredDelivery]),
    [
      [3, 1, 0x40, 1],
      [3, 2, 0x40, 1],
      [3, 3, 0x40, 1],
      [3, 1, 0x40, 1],
      [3, 2, 0x40, 1],
      [3, 3, 0x40, 1],
    ],
  );
  assert.notEqual(smsc.submits[0]!.concat!.ref, smsc.submits[3]!.concat!.ref, 'each message has its own reference');
  assert.equal(okId(r1), smsc.messages[0]!.messageId, "the provider id is the first part's message_id");
});

test('long UCS-2 texts are sent as parts of 67 units, never splitting a surrogate pair', async (t) => {
  const { smsc, gw } = await setup(t);
  const cyrillic = 'Ж'.repeat(140);
  const emoji = `${'Ж'.repeat(66)}😀${'Ж'.repeat(60)}`;
  const r1 = await gw.send(msg(cyrillic), never);
  const r2 = await gw.send(msg(emoji), never);
  assert.deepEqual([r1.ok && r1.segments, r2.ok && r2.segments], [3, 2]);
  assert.deepEqual(
    smsc.submits.map((s) => [s.dataCoding, s.units]),
    [
      [8, 67],
      [8, 67],
      [8, 6],
      [8, 66],
      [8, 62],
    ],
  );
  assert.deepEqual(
    smsc.messages.map((m) => m.text),
    [cyrillic, emoji],
  );
});

test('a refused bind (wrong password): sends fail transient with the status; the gateway keeps retrying', async (t) => {
  const { smsc, gw, warnings } = await setup(t, { password: 'wrong' });
  const r = await gw.send(msg('code 1'), never);
  assert.equal(!r.ok && r.kind, 'transient');
  assert.match(!r.ok ? r.error : '', /bind refused: ESME_RINVPASWD \(0x0000000e\)/);
  assert.ok(warnings.includes('SMPP bind failed'));
  await smsc.waitFor('another bind attempt', () => smsc.binds.length >= 2);
  assert.ok(smsc.binds.every((b) => !b.accepted));
  assert.equal(smsc.submits.length, 0);
});

test('an SMSC that is down at start: sends fail transient at once, and succeed once it is up and bound', async (t) => {
  const smsc = await TestSmsc.start();
  await smsc.stop();
  const gw = new SmppGateway(smppConfig(smsc), { clock: new ManualClock() });
  t.after(async () => {
    await gw.close();
    await smsc.stop();
  });
  const down = await gw.send(msg('code 1'), never);
  assert.deepEqual(!down.ok && [down.kind, down.timeout], ['transient', undefined]);
  assert.match(!down.ok ? down.error : '', /ECONNREFUSED/);
  await smsc.listen();
  await smsc.waitFor('the gateway to bind', () => smsc.acceptedBinds === 1);
  okId(await gw.send(msg('code 2'), never));
  assert.deepEqual(
    smsc.messages.map((m) => m.text),
    ['code 2'],
  );
});

test('when the connection drops, submits awaiting a response end at once as transient, outcome unknown', {
  timeout: 10_000,
}, async (t) => {
  const { smsc, gw } = await setup(t, { requestTimeoutMs: 60_000 });
  smsc.mode = 'hang';
  const sends = [1, 2, 3].map((i) => gw.send(msg(`code ${i}`), never));
  await smsc.waitFor('three submits held', () => smsc.outstanding === 3);
  smsc.dropAll();
  for (const r of await Promise.all(sends)) {
    assert.deepEqual(!r.ok && [r.kind, r.timeout, r.error], [
      'transient',
      undefined,
      'submit_sm: connection lost, outcome unknown',
    ]);
  }
  assert.equal(gw.load.inFlight, 0, 'their window slots are free again');
  smsc.mode = 'ok';
  await smsc.waitFor('the gateway to bind again', () => smsc.acceptedBinds === 2);
  okId(await gw.send(msg('code 4'), never));
});

test('a submit_sm without a response within requestTimeoutMs is a transient timeout', async (t) => {
  const { smsc, gw } = await setup(t, { requestTimeoutMs: 200 });
  smsc.mode = 'hang';
  const r = await gw.send(msg('code 1'), never);
  assert.deepEqual(!r.ok && [r.kind, r.timeout, r.error], [
    'transient',
    true,
    'submit_sm: no submit_sm_resp within 200 ms',
  ]);
  assert.equal(gw.load.inFlight, 0);
});

test('command_status: transient (with retryAfterMs if throttled) or permanent, named, without the text', async (t) => {
  const { smsc, gw } = await setup(t);
  const cases: [number, 'transient' | 'permanent', string, number | undefined][] = [
    [smpp.ESME_RTHROTTLED, 'transient', 'ESME_RTHROTTLED (0x00000058)', 1000],
    [smpp.ESME_RMSGQFUL, 'transient', 'ESME_RMSGQFUL (0x00000014)', undefined],
    [smpp.ESME_RX_T_APPN, 'transient', 'ESME_RX_T_APPN (0x00000064)', undefined],
    [smpp.ESME_RSYSERR, 'transient', 'ESME_RSYSERR (0x00000008)', undefined],
    [smpp.ESME_RINVDSTADR, 'permanent', 'ESME_RINVDSTADR (0x0000000b)', undefined],
    [smpp.errors.ESME_RSUBMITFAIL!, 'permanent', 'ESME_RSUBMITFAIL (0x00000045)', undefined],
    [0x400, 'permanent', 'unknown command_status (0x00000400)', undefined],
  ];
  for (const [status, kind, name, retryAfterMs] of cases) {
    smsc.mode = { status };
    const r = await gw.send(msg('Your code is 987654'), never);
    assert.deepEqual(!r.ok && [r.kind, r.error, r.retryAfterMs], [
      kind,
      `SMSC refused submit_sm: ${name}`,
      retryAfterMs,
    ]);
  }
});

test('the window: at most `window` submits await a response; the others wait for a slot', async (t) => {
  const { smsc, gw } = await setup(t, { window: 3, requestTimeoutMs: 5000 });
  smsc.mode = 'hang';
  const sends = Array.from({ length: 8 }, (_, i) => gw.send(msg(`code ${i}`), never));
  // Once five callers wait at the gate, the gateway cannot write another submit until a slot frees.
  await smsc.waitFor('a full window', () => smsc.outstanding === 3 && gw.load.waiting === 5);
  assert.deepEqual([smsc.submits.length, smsc.maxOutstanding], [3, 3]);
  smsc.mode = 'ok';
  smsc.answerHung();
  assert.ok((await Promise.all(sends)).every((r) => r.ok));
  assert.deepEqual([smsc.messages.length, smsc.maxOutstanding], [8, 3]);
});

test('the throughput limit spaces submits 1/throughputPerSecond apart', async (t) => {
  const { smsc, gw } = await setup(t, { throughputPerSecond: 20 });
  await Promise.all([0, 1, 2, 3].map((i) => gw.send(msg(`code ${i}`), never)));
  const at = smsc.submits.map((s) => s.at);
  assert.ok(at.at(-1)! - at[0]! >= 3 * 50 - 5, `4 submits at 20/s span at least 150 ms: ${at.join(', ')}`);
});

test('a caller that gives up waiting for the window gets a timeout and leaves no slot behind', async (t) => {
  const { smsc, gw } = await setup(t, { window: 1, requestTimeoutMs: 5000 });
  smsc.mode = 'hang';
  const first = gw.send(msg('code 1'), never);
  await smsc.waitFor('a submit held', () => smsc.outstanding === 1);
  const ac = new AbortController();
  const second = gw.send(msg('code 2'), ac.signal);
  await smsc.waitFor('a caller waiting', () => gw.load.waiting === 1);
  ac.abort();
  const r = await second;
  assert.deepEqual(!r.ok && [r.kind, r.timeout], ['transient', true]);
  assert.deepEqual(gw.load, { inFlight: 1, waiting: 0 });
  smsc.mode = 'ok';
  smsc.answerHung();
  okId(await first);
  assert.equal(smsc.submits.length, 1);
});

test('enquire_link keeps the link alive; an unanswered one drops the link and the gateway binds again', async (t) => {
  const { smsc, gw, warnings } = await setup(t, { enquireLinkSeconds: 1, requestTimeoutMs: 300 });
  await smsc.waitFor('an enquire_link from the gateway', () => smsc.enquireLinks >= 1);
  assert.equal(smsc.acceptedBinds, 1);
  smsc.answerEnquireLink = false;
  await smsc.waitFor('the gateway to drop the silent link and bind again', () => smsc.acceptedBinds === 2, 4000);
  assert.ok(warnings.includes('SMPP enquire_link unanswered; dropping the link'));
  okId(await gw.send(msg('code 1'), never));
});

test("the SMSC's own enquire_link and unbind are answered; after an unbind the gateway binds again", async (t) => {
  const { smsc, gw } = await setup(t);
  await smsc.waitFor('the gateway to bind', () => smsc.boundSessions === 1);
  assert.deepEqual(await smsc.ping(), [0]);
  assert.deepEqual(await smsc.unbindAll(), [0]);
  await smsc.waitFor('the gateway to bind again', () => smsc.acceptedBinds === 2 && smsc.boundSessions === 1);
  okId(await gw.send(msg('code 1'), never));
});

test('close() unbinds, and every send still pending or waiting ends as transient', async (t) => {
  const { smsc, gw } = await setup(t, { window: 1, requestTimeoutMs: 5000 });
  smsc.mode = 'hang';
  const sends = [1, 2, 3].map((i) => gw.send(msg(`code ${i}`), never));
  await smsc.waitFor('a full window', () => smsc.outstanding === 1 && gw.load.waiting === 2);
  await gw.close();
  const results = await Promise.all(sends);
  assert.deepEqual(
    results.map((r) => !r.ok && r.kind),
    ['transient', 'transient', 'transient'],
  );
  assert.equal(!results[0]!.ok && results[0]!.error, 'submit_sm: SMPP gateway closed, outcome unknown');
  assert.equal(smsc.boundSessions, 0, 'the gateway unbound');
  const after = await gw.send(msg('code 4'), never);
  assert.deepEqual(!after.ok && [after.kind, after.error], ['transient', 'SMPP gateway closed']);
});

const DISPATCH: DispatcherOptions = {
  pollMs: 1000,
  leaseMs: 30_000,
  maxAttempts: 10,
  backoffBaseMs: 1000,
  backoffMaxMs: 1000,
  sendTimeoutMs: 5000,
  concurrency: 8,
};

/** The real dispatcher and SQLite outbox in front of the gateway; jitter 0 makes the backoff 1 ms. */
function dispatcher(gw: SmppGateway) {
  const f = coreFixture();
  const pool = GatewayPool.single(gw, f.clock, new LibPhoneNumberInspector());
  const errors: unknown[] = [];
  const d = new Dispatcher({
    store: f.store,
    pool,
    keys: f.keys,
    clock: f.clock,
    options: DISPATCH,
    random01: () => 0,
    events: { attempt() {}, error: (e) => errors.push(e) },
  });
  const run = async () => {
    await d.tick();
    await d.idle();
  };
  const statuses = async () => (await f.store.listMessages({ limit: 100 })).map((m) => m.status);
  return { f, d, pool, errors, run, statuses };
}

test('the SMSC drops the connection with messages in flight: every accepted message still ends up sent', async (t) => {
  const { smsc, gw } = await setup(t);
  const { f, d, pool, errors, run, statuses } = dispatcher(gw);
  for (let i = 0; i < 6; i++)
    await f.verifier.sendCode(`client-${i}`, { to: TO, template: smsText(`message ${i}: {{code}}`) });
  smsc.mode = 'hang';
  await d.tick();
  await smsc.waitFor('six submits in flight', () => smsc.outstanding === 6);
  smsc.answerHung(2);
  await smsc.waitFor('two answers read by the gateway', () => gw.load.inFlight === 4);
  smsc.dropAll();
  await d.idle();
  smsc.mode = 'ok';
  for (let round = 0; round < 10 && !(await statuses()).every((s) => s === 'sent'); round++) {
    await smsc.waitFor('a bound link', () => smsc.boundSessions === 1);
    f.clock.advance(pool.breaker(gw.id).state === 'open' ? 31_000 : 1000);
    await run();
  }
  assert.deepEqual(await statuses(), Array(6).fill('sent'));
  for (let i = 0; i < 6; i++)
    assert.ok(
      smsc.messages.some((m) => m.text.startsWith(`message ${i}: `)),
      `message ${i} reached the SMSC`,
    );
  const views = await f.store.listMessages({ limit: 100 });
  const attempts = await f.store.listAttempts(views.map((v) => v.id));
  const lost = attempts.filter((a) => a.error === 'submit_sm: connection lost, outcome unknown');
  assert.deepEqual(
    lost.map((a) => [a.outcome, a.attempt]),
    Array(4).fill(['transient', 1]),
  );
  assert.deepEqual(
    attempts
      .filter((a) => a.outcome === 'sent')
      .map((a) => a.attempt)
      .sort(),
    [1, 1, 2, 2, 2, 2],
  );
  assert.deepEqual([smsc.submits.length, smsc.acceptedBinds, errors], [10, 2, []]);
});

test('a throttled submit (ESME_RTHROTTLED) is retried after retryAfterMs, then sent', async (t) => {
  const { smsc, gw } = await setup(t);
  const { f, run, statuses } = dispatcher(gw);
  smsc.throttleNext = 1;
  await f.verifier.sendCode('c', { to: TO, template: smsText('code {{code}}') });
  await run();
  const [view] = await f.store.listMessages({ limit: 1 });
  const [attempt] = await f.store.listAttempts([view!.id]);
  assert.deepEqual(
    [attempt!.outcome, attempt!.error],
    ['transient', 'SMSC refused submit_sm: ESME_RTHROTTLED (0x00000058)'],
  );
  f.clock.advance(999);
  await run();
  assert.equal(
    smsc.submits.length,
    1,
    'not retried before the 1 s the throttling asked for (the backoff alone is 1 ms)',
  );
  f.clock.advance(1);
  await run();
  assert.deepEqual([await statuses(), smsc.submits.length], [['sent'], 2]);
  assert.equal(smsc.messages[0]!.text, `code ${f.lastCode()}`);
});

test('a long message asks a receipt for every part and is delivered only when every part is', async (t) => {
  const { smsc, gw } = await setup(t);
  const { f, run, statuses } = dispatcher(gw);
  gw.onReceipt((r) => void f.store.recordReceipt({ ...r, gateway: gw.id }));
  // Over 70 UTF-16 units: two UCS-2 parts.
  const long = 'Код подтверждения для входа: {{code}}. Никому его не сообщайте, даже нашим сотрудникам.';
  await f.verifier.sendCode('c', { to: TO, template: smsText(long) });
  await run();
  await smsc.waitFor('the whole message', () => smsc.messages.length === 1);
  const [m] = smsc.messages;
  assert.equal(m!.parts, 2);
  assert.deepEqual(
    smsc.submits.map((s) => s.registeredDelivery),
    [1, 1],
  );
  const until = async (want: string) => {
    for (let i = 0; i < 200 && (await statuses())[0] !== want; i++) await new Promise((r) => setTimeout(r, 5));
    return (await statuses())[0];
  };
  await smsc.receipt(m!.partIds[0]!, 'DELIVRD');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await until('sent'), 'sent', 'one part of two');
  await smsc.receipt(m!.partIds[1]!, 'DELIVRD');
  assert.equal(await until('delivered'), 'delivered');
});

test("a route's TLVs ride on its messages' submit_sm, on top of the gateway's (India DLT per route)", async (t) => {
  const { smsc, gw } = await setup(t, { tlvs: [{ tag: 0x1400, value: 'PE-1', encoding: 'cstring' }] });
  const f = coreFixture();
  const pool = new GatewayPool({
    gateways: [gw],
    clock: f.clock,
    phones: new LibPhoneNumberInspector(),
    routes: {
      rules: [
        { prefixes: ['+91'], gateways: [gw.id], smppTlvs: [{ tag: 0x1401, value: 'TPL-7', encoding: 'cstring' }] },
      ],
      defaultSms: [gw.id],
      email: [],
    },
    breaker: { failureThreshold: 5, cooldownMs: 30_000 },
  });
  const { d, drain } = testDispatcher(f, pool);
  t.after(() => d.stop());
  await f.verifier.sendCode('c', { to: '+919876543210', template: smsText('code {{code}}') });
  await f.verifier.sendCode('c', { to: TO, template: smsText('code {{code}}') });
  await drain();
  await smsc.waitFor('both messages', () => smsc.submits.length === 2);
  const tags = (to: string) =>
    Object.keys(smsc.submits.find((s) => s.to === to)!.tlvs)
      .map((k) => Number(k).toString(16))
      .sort();
  assert.deepEqual(tags('919876543210'), ['1400', '1401']);
  assert.deepEqual(tags(TO.slice(1)), ['1400']);
});
