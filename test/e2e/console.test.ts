// The web console in a real browser (Debian's Chromium through playwright-core) against a real
// otpd: sign-in and its refusals, the session's end, CSRF, keys (a created key works on the API, a
// revoked one gets 401), a prefix blocked from the console refusing a send, a number's message
// timeline, tenant isolation, accessibility (axe-core) and screenshots at a desktop and a phone width.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, launchChromium, pageErrors, screenshot } from '../helpers/browser.ts';
import { mobile, SEND, startTestServer, VALIDATE, type TestServer } from '../helpers/server.ts';

let browser: Browser;
let server: TestServer;
before(async () => {
  browser = await launchChromium();
  server = await startTestServer();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const WIDTHS = { desktop: 1280, phone: 390 };

async function open(width = WIDTHS.desktop): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const errors = pageErrors(page);
  page.on('dialog', (d) => void d.accept());
  await page.goto(`${server.url}/console`);
  await page.locator('#signin').waitFor({ state: 'visible' });
  return { page, errors };
}

async function signIn(page: Page, key: string): Promise<void> {
  await page.fill('#key', key);
  await page.click('#signin-form button[type=submit]');
  await page.locator('#app').waitFor({ state: 'visible' });
}

async function inspect(page: Page, name: string): Promise<void> {
  const violations = await axeViolations(page);
  assert.deepEqual(
    violations.map((v) => `${v.id}: ${v.help}`),
    [],
    `${name}: serious or critical accessibility violations`,
  );
  for (const [label, width] of Object.entries(WIDTHS)) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `console-${name}-${label}`);
  }
  await page.setViewportSize({ width: WIDTHS.desktop, height: 900 });
}

const keyRows = (page: Page) => page.locator('#keys tbody tr');

test('an operator signs in, creates a key that works, revokes it, and the API then refuses it', async () => {
  const { page, errors } = await open();
  await inspect(page, 'signin');
  await signIn(page, server.operatorKey);
  assert.equal(await page.textContent('#who-text'), 'Operator ops');
  await page.click('nav [data-tab=keys]');
  await keyRows(page).first().waitFor();
  const tenants = await page.locator('#keys tbody tr td:nth-child(3)').allTextContents();
  assert.ok(tenants.includes('tenant-a') && tenants.includes('ops'), 'an operator sees every tenant');
  await inspect(page, 'keys');

  await page.fill('#key-name', 'checkout app');
  await page.click('#key-form button[type=submit]');
  await page.locator('#secret-box').waitFor({ state: 'visible' });
  const secret = (await page.textContent('#secret')) ?? '';
  assert.ok(secret.length > 20);
  assert.equal((await server.get('/v1/services', { key: secret })).status, 200, 'the new key works at once');
  const row = page.locator('#keys tbody tr', { hasText: 'checkout app' });
  await row.getByRole('button', { name: 'Revoke checkout app' }).click();
  await row.locator('td', { hasText: /^revoked/ }).waitFor();
  assert.equal((await server.get('/v1/services', { key: secret })).status, 401, 'the revoked key is refused');
  await page.reload();
  await page.locator('#app').waitFor({ state: 'visible' });
  assert.equal(await page.isVisible('#secret-box'), false, 'the secret is shown once, not after a reload');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test("the overview draws the counters the store keeps: a chart not blank, the figures the store's", async () => {
  for (let i = 0; i < 3; i++) {
    const { authenticationId, code } = await server.sendAndRead(mobile(400 + i));
    if (i < 2) assert.equal((await server.post(VALIDATE, { authenticationId, code })).status, 204);
  }
  const rule = await server.post(
    '/admin/number-rules',
    { kind: 'block', prefix: '+34629259' },
    { key: server.operatorKey },
  );
  assert.equal(rule.status, 201);
  assert.equal((await server.post(SEND, { phoneNumber: mobile(9001), message: '{{code}}' })).status, 403);
  // The third code is left to expire: the sweep (every few seconds) counts it on the server's clock.
  server.clock.advance(11 * 60_000);
  const expiredNow = async () => {
    const t = server.clock.now();
    const points = await server.server.store.statsSeries({ resolution: 'minute', from: t - 86_400_000, to: t });
    return points.filter((p) => p.metric === 'expired').reduce((n, p) => n + p.count, 0);
  };
  for (let i = 0; i < 200 && (await expiredNow()) < 1; i++) await new Promise((r) => setTimeout(r, 100));
  const now = server.clock.now();
  const stored = await server.server.store.statsSeries({
    resolution: 'minute',
    from: now - 86_400_000,
    to: now + 60_000,
  });
  const count = (metric: string) =>
    stored.filter((p) => p.metric === metric && p.dim === '').reduce((n, p) => n + p.count, 0);

  const { page, errors } = await open();
  await signIn(page, server.operatorKey);
  await page.locator('#fig-sent', { hasText: /^\d+$/ }).waitFor();
  assert.equal(Number(await page.textContent('#fig-sent')), count('sent'));
  assert.equal(Number(await page.textContent('#fig-validated')), count('validated'));
  assert.equal(Number(await page.textContent('#fig-expired')), count('expired'));
  assert.ok(count('expired') >= 1, 'the code left unused is counted as expired');
  assert.ok(count('sent') >= 3 && count('validated') >= 2);
  const refused = stored
    .filter((p) => p.metric.startsWith('refused:') && p.dim === '')
    .reduce((n, p) => n + p.count, 0);
  assert.equal(Number(await page.textContent('#fig-refused')), refused);
  assert.ok(refused >= 1, 'the blocked send is counted');
  assert.match((await page.textContent('#by-country tbody')) ?? '', /ES/);
  // The chart's canvas holds the "sent" series' blue, not only axes.
  const blue = await page.evaluate(() => {
    const c = document.querySelector('#chart canvas') as HTMLCanvasElement;
    const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i]! < 60 && px[i + 2]! > 140 && px[i + 3]! > 0) n++;
    return n;
  });
  assert.ok(blue > 20, `the series is drawn (${blue} pixels of its colour)`);
  await inspect(page, 'overview');
  await page.selectOption('#range', '7d');
  await page.locator('#status', { hasText: 'Last 7 days' }).waitFor();
  assert.equal(Number(await page.textContent('#fig-sent')), count('sent'), 'the same counts by the hour');
  await server.request(
    'DELETE',
    `/admin/number-rules?kind=block&prefix=${encodeURIComponent('+34629259')}`,
    undefined,
    {
      key: server.operatorKey,
    },
  );
  assert.deepEqual(errors, []);
  await page.context().close();
});

test("a search by full number shows each verification's timeline: sends, attempts, checks, outcome", async () => {
  const phone = mobile(501);
  const { authenticationId, code } = await server.sendAndRead(phone);
  const wrongCode = code === '000000' ? '111111' : '000000';
  assert.equal((await server.post(VALIDATE, { authenticationId, code: wrongCode })).status, 400);
  assert.equal((await server.post(VALIDATE, { authenticationId, code })).status, 204);
  const { page, errors } = await open();
  await signIn(page, server.operatorKey);
  await page.click('nav [data-tab=verifications]');
  await page.fill('#verification-phone', phone);
  await page.click('#verification-form button[type=submit]');
  await page.locator('#status', { hasText: `1 verification(s) of ${phone}.` }).waitFor();
  const text = (await page.textContent('#verification-timeline')) ?? '';
  assert.match(text, new RegExp(`sms to \\${phone} · verified · tenant tenant-a`));
  assert.match(text, /send 1 at .*: (sent|delivered)/);
  assert.match(text, /attempt 1 via dev-outbox: sent/);
  assert.match(text, /checks: 2 of 3/);
  assert.match(text, /verified at /);
  await inspect(page, 'verifications');
  await page.fill('#verification-phone', mobile(502));
  await page.click('#verification-form button[type=submit]');
  await page.locator('#status', { hasText: `No verifications of ${mobile(502)}.` }).waitFor();
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a change without the session CSRF token is refused; with it, it goes through', async () => {
  const { page } = await open();
  await signIn(page, server.operatorKey);
  const without = await page.evaluate(() =>
    fetch('/admin/keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'forged' }),
    }).then(async (r) => ({ status: r.status, body: await r.json() })),
  );
  assert.equal(without.status, 403);
  assert.equal(without.body.code, 'PERMISSION_DENIED');
  const csrf = await page.evaluate(() => fetch('/console/api/session').then((r) => r.json()));
  const withToken = await page.evaluate(
    (token) =>
      fetch('/admin/keys', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': token },
        body: JSON.stringify({ name: 'scripted' }),
      }).then((r) => r.status),
    csrf.csrf as string,
  );
  assert.equal(withToken, 201);
  // Reads need no token: the cookie alone, as the browser sends it to this origin only.
  assert.equal(await page.evaluate(() => fetch('/admin/keys').then((r) => r.status)), 200);
  await page.context().close();
});

test('a wrong key, and a key without the admin scope, are refused with their own message', async () => {
  const { page } = await open(WIDTHS.phone);
  await page.fill('#key', 'otpd_not_a_key_at_all');
  await page.click('#signin-form button[type=submit]');
  await page.locator('#signin-error', { hasText: 'That key is not valid.' }).waitFor();
  const sender = await server.createKey({ scopes: ['verify'], clientId: 'tenant-a' });
  await page.fill('#key', sender.secret);
  await page.click('#signin-form button[type=submit]');
  await page.locator('#signin-error', { hasText: 'This key has no admin scope.' }).waitFor();
  assert.equal(await page.isVisible('#app'), false);
  await page.context().close();
});

test('the session ends after its lifetime, at sign-out, and when its key is revoked', async () => {
  const { page } = await open();
  await signIn(page, server.operatorKey);
  server.clock.advance(31 * 60_000);
  await page.click('nav [data-tab=messages]');
  await page.locator('#signin-error', { hasText: 'Your session has ended.' }).waitFor();

  await signIn(page, server.operatorKey);
  await page.click('#signout');
  await page.locator('#signin').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => fetch('/admin/keys').then((r) => r.status)), 401, 'signed out: no access');

  const admin = await server.createKey({ clientId: 'ops', kind: 'operator' });
  await signIn(page, admin.secret);
  await server.post(`/admin/keys/${admin.id}/revoke`, undefined, { key: server.operatorKey });
  await page.click('nav [data-tab=rules]');
  await page.locator('#signin-error', { hasText: 'Your session has ended.' }).waitFor();
  await page.context().close();
});

test('a prefix blocked from the console refuses sends; a number search shows its timeline', async () => {
  const sent = mobile(301);
  assert.equal((await server.post(SEND, { phoneNumber: sent, message: '{{code}}' })).status, 200);
  await server.texts(sent);
  const { page, errors } = await open();
  await signIn(page, server.operatorKey);

  await page.click('nav [data-tab=messages]');
  await page.fill('#message-to', sent);
  await page.click('#message-form button[type=submit]');
  await page.locator('#status', { hasText: `message(s) to ${sent}.` }).waitFor();
  const item = page.locator('#timeline .message').first();
  const text = (await item.textContent()) ?? '';
  assert.match(text, new RegExp(`sms to \\${sent} · (sent|delivered)`), 'the searched number is shown in full');
  assert.match(text, /attempt 1 via dev-outbox: (sent|delivered)/);
  await inspect(page, 'messages');
  await page.fill('#message-to', '');
  await page.click('#message-form button[type=submit]');
  await page.locator('#status', { hasText: 'message(s)' }).waitFor();
  assert.doesNotMatch((await page.textContent('#timeline')) ?? '', new RegExp(`\\${sent}`), 'masked unless searched');

  await page.click('nav [data-tab=rules]');
  await page.fill('#rule-prefix', '+3462925');
  await page.fill('#rule-note', 'console test');
  await page.click('#rule-form button[type=submit]');
  await page.locator('#rules tbody tr', { hasText: '+3462925' }).waitFor();
  await inspect(page, 'rules');
  const refused = await server.post(SEND, { phoneNumber: mobile(302), message: '{{code}}' });
  assert.equal(refused.status, 403, 'a send into the blocked prefix is refused');
  await page.getByRole('button', { name: 'Remove block +3462925', exact: true }).click();
  await page.locator('#status', { hasText: 'removed' }).waitFor();
  assert.equal((await server.post(SEND, { phoneNumber: mobile(303), message: '{{code}}' })).status, 200);

  await page.click('nav [data-tab=blocks]');
  await page.locator('#status', { hasText: 'No blocks in force.' }).waitFor();
  await inspect(page, 'blocks');

  await page.click('nav [data-tab=gateways]');
  const gateway = page.locator('#gateways tbody tr', { hasText: 'dev-outbox' });
  await gateway.waitFor();
  const cells = await gateway.locator('td').allTextContents();
  assert.equal(cells[2], 'closed', 'its circuit');
  assert.ok(Number(cells[3]) >= 2, `messages handed over in the last hour: ${cells[3]}`);
  assert.match((await page.textContent('#status')) ?? '', /Every route has a usable gateway/);
  await inspect(page, 'gateways');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test("an operator sets a tenant's daily messages from the console, and the next send over it is refused", async () => {
  const tenant = await server.createKey({ clientId: 'tenant-p' });
  const { page, errors } = await open();
  await signIn(page, server.operatorKey);
  await page.click('nav [data-tab=policies]');
  await page.fill('#policy-client', 'tenant-p');
  await page.fill('#policy-messages', '1');
  await page.fill('#policy-countries', 'es');
  await page.click('#policy-form button[type=submit]');
  await page.locator('#status', { hasText: 'Policy of tenant-p set.' }).waitFor();
  const row = await page.locator('#policies tbody tr', { hasText: 'tenant-p' }).locator('td').allTextContents();
  assert.deepEqual(row.slice(0, 4), ['tenant-p', 'allow ES', '1', 'default']);
  await inspect(page, 'policies');
  const send = (n: number) =>
    server.post(SEND, { phoneNumber: mobile(n), message: '{{code}}' }, { key: tenant.secret });
  assert.equal((await send(701)).status, 200);
  assert.equal((await send(702)).status, 429, "over the day's one message");
  await page.fill('#policy-messages', '');
  await page.fill('#policy-countries', '');
  await page.click('#policy-form button[type=submit]');
  await page
    .locator('#policies tbody tr', { hasText: 'tenant-p' })
    .locator('td', { hasText: 'default' })
    .first()
    .waitFor();
  assert.equal((await send(703)).status, 200, 'back to the default');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test("a client key sees its own tenant's keys only, and not the global rules", async () => {
  const { page } = await open();
  await signIn(page, server.key);
  assert.equal(await page.textContent('#who-text'), 'Tenant tenant-a');
  await page.click('nav [data-tab=keys]');
  await keyRows(page).first().waitFor();
  const tenants = new Set(await page.locator('#keys tbody tr td:nth-child(3)').allTextContents());
  assert.deepEqual([...tenants], ['tenant-a']);
  await page.click('nav [data-tab=rules]');
  await page.locator('#status.error').waitFor();
  assert.match((await page.textContent('#status')) ?? '', /operator/i);
  await page.context().close();
});
