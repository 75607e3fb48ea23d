// The demo sign-in page in a real browser (Debian's Chromium through playwright-core) against a
// real otpd with the development outbox: the whole flow, the refusals a person meets, both
// languages, accessibility (axe-core) and screenshots at a desktop and a phone width.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, launchChromium, pageErrors, screenshot } from '../helpers/browser.ts';
import { mobile, startTestServer, type TestServer } from '../helpers/server.ts';

let browser: Browser;
let server: TestServer;
before(async () => {
  browser = await launchChromium();
  server = await startTestServer({ OTPD_DEMO_RESEND_SECONDS: '4' });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const WIDTHS = { desktop: 1280, phone: 390 };
/** Checks a code allows (OTPD_CODE_MAX_ATTEMPTS's default, the demo service's). */
const CHECKS = 3;

/** A number as a person in Spain types it: the national digits, spaced. */
const national = (e164: string) => e164.slice(3).replace(/(\d{3})(\d{2})(\d{2})(\d{2})/, '$1 $2 $3 $4');

/** The texts the development outbox caught for a number (the demo is its own tenant: an operator reads them). */
async function texts(to: string): Promise<string[]> {
  const r = await server.get(`/dev/messages?to=${encodeURIComponent(to)}`, { key: server.operatorKey });
  assert.equal(r.status, 200);
  return (r.body.messages as { text: string }[]).map((m) => m.text);
}
const codeIn = (text: string) => /\b(\d{4,10})\b/.exec(text)?.[1] ?? '';

async function open(width: number, lang = 'en'): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const errors = pageErrors(page);
  await page.goto(`${server.url}/demo?lang=${lang}`);
  return { page, errors };
}

async function sendTo(page: Page, e164: string): Promise<void> {
  await page.selectOption('#country', 'ES');
  await page.fill('#phone', national(e164));
  await page.click('#send');
  await page.locator('#code-step').waitFor({ state: 'visible' });
}

/** Checks the page for serious accessibility problems and saves it at both widths. */
async function inspect(page: Page, name: string): Promise<void> {
  const violations = await axeViolations(page);
  assert.deepEqual(
    violations.map((v) => `${v.id}: ${v.help}`),
    [],
    `${name}: axe-core found serious or critical violations`,
  );
  for (const [label, width] of Object.entries(WIDTHS)) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `demo-${name}-${label}`);
  }
}

test('the demo signs a person in: number checked as typed, code from the outbox, wrong code, resend', async () => {
  const phone = mobile(101);
  const { page, errors } = await open(WIDTHS.desktop);
  assert.equal(await page.getAttribute('#code', 'autocomplete'), 'one-time-code');
  await inspect(page, 'phone');
  // Validation as the person types: a number too long for Spain is refused before anything is sent.
  await page.selectOption('#country', 'ES');
  await page.fill('#phone', '629 25 58 33 99');
  await assert.doesNotReject(page.locator('#phone-error').waitFor({ state: 'visible' }));
  assert.match((await page.textContent('#phone-error')) ?? '', /not a valid phone number/);
  await page.click('#send');
  assert.equal(await page.isVisible('#code-step'), false, 'nothing sent for an invalid number');
  assert.deepEqual(await texts('+3462925583399'), []);

  await sendTo(page, phone);
  assert.equal(await page.isDisabled('#resend'), true, 'no resend before its countdown');
  assert.match((await page.textContent('#sent-to')) ?? '', /^We sent a code to \+34\d{2}\*+\d{2}\.$/);
  await page.locator('#outbox-text', { hasText: /\d{6}/ }).waitFor();
  const shown = (await page.textContent('#outbox-text')) ?? '';
  const [sms] = await texts(phone);
  assert.equal(shown, sms, 'the page shows the text the development outbox caught');
  const code = codeIn(shown);
  await inspect(page, 'code');

  await page.fill('#code', code === '000000' ? '111111' : '000000');
  await page.click('#verify');
  await page.locator('#code-error', { hasText: `That code is not right. Tries left: ${CHECKS - 1}.` }).waitFor();
  assert.equal(await page.getAttribute('#code', 'aria-invalid'), 'true');
  await inspect(page, 'wrong-code');

  // The resend is offered after its countdown, and sends the same code again.
  await page.locator('#resend:not([disabled])').waitFor();
  await page.click('#resend');
  await page.locator('#sent-to', { hasText: 'We sent the same code again.' }).waitFor();
  await server.texts(phone);
  const after = await texts(phone);
  assert.equal(after.length, 2);
  assert.equal(codeIn(after[0]!), code, 'the resend carries the same code');

  await page.fill('#code', code);
  await page.click('#verify');
  await page.locator('#done', { hasText: 'You are signed in' }).waitFor();
  assert.match((await page.textContent('#done-to')) ?? '', /Signed in with \+34/);
  assert.doesNotMatch((await page.content()) ?? '', new RegExp(phone.slice(1)), 'the full number is not shown');
  await inspect(page, 'signed-in');
  // A reload keeps the session (its cookie); signing out ends it.
  await page.reload();
  await page.locator('#done').waitFor({ state: 'visible' });
  await page.click('#signout');
  await page.locator('#phone-step').waitFor({ state: 'visible' });
  const me = await page.evaluate(() => fetch('/demo/api/me').then((r) => r.json()));
  assert.deepEqual(me, { signedIn: false, to: null });
  assert.deepEqual(errors, [], 'no console errors, no CSP violations');
  await page.context().close();
});

test('an expired code and too many wrong codes each get their own message', async () => {
  const { page } = await open(WIDTHS.phone);
  const phone = mobile(102);
  await sendTo(page, phone);
  await page.locator('#outbox-text', { hasText: /\d{6}/ }).waitFor();
  const code = codeIn((await page.textContent('#outbox-text')) ?? '');
  server.clock.advance(11 * 60_000);
  await page.fill('#code', code);
  await page.click('#verify');
  await page.locator('#code-error', { hasText: 'This code has expired. Send a new one.' }).waitFor();
  await inspect(page, 'expired');

  await page.click('#change');
  const other = mobile(103);
  await sendTo(page, other);
  await page.locator('#outbox-text', { hasText: /\d{6}/ }).waitFor();
  const right = codeIn((await page.textContent('#outbox-text')) ?? '');
  const wrong = right === '000000' ? '111111' : '000000';
  for (let left = CHECKS - 1; left >= 1; left--) {
    await page.fill('#code', wrong);
    await page.click('#verify');
    await page.locator('#code-error', { hasText: `Tries left: ${left}.` }).waitFor();
  }
  await page.fill('#code', wrong);
  await page.click('#verify');
  await page.locator('#code-error', { hasText: 'Too many wrong codes. Send a new one.' }).waitFor();
  // Spent: even the right code no longer signs in.
  await page.fill('#code', right);
  await page.click('#verify');
  await page.locator('#code-error', { hasText: 'Too many wrong codes' }).waitFor();
  assert.equal(await page.isVisible('#done'), false);
  await page.context().close();
});

test('in Spanish: the page, its messages and the SMS', async () => {
  const { page, errors } = await open(WIDTHS.phone, 'es');
  assert.equal(await page.getAttribute('html', 'lang'), 'es');
  assert.equal(await page.textContent('h1'), 'Inicia sesión con tu teléfono');
  assert.equal(await page.inputValue('#country'), 'ES', 'Spain by default for a Spanish page');
  await inspect(page, 'es-phone');
  const phone = mobile(104);
  await sendTo(page, phone);
  await page.locator('#outbox-text', { hasText: /\d{6}/ }).waitFor();
  assert.match((await page.textContent('#outbox-text')) ?? '', /^Tu código de verificación/);
  await page.fill('#code', '000000');
  await page.click('#verify');
  await page.locator('#code-error', { hasText: 'El código no es correcto.' }).waitFor();
  await inspect(page, 'es-wrong-code');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the page allows no inline script and is never framed; the backend holds no key', async () => {
  const res = await fetch(`${server.url}/demo`);
  assert.equal(res.status, 200);
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /frame-ancestors 'none'/);
  const html = await res.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/, 'every script is a file');
  assert.doesNotMatch(html, /otpd_[A-Za-z0-9_-]{20,}/, 'no API key in the page');
  const start = await fetch(`${server.url}/demo/api/start`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: mobile(105) }),
  });
  assert.equal(start.status, 200);
  const cookie = start.headers.get('set-cookie') ?? '';
  assert.match(cookie, /HttpOnly/i);
  assert.match(cookie, /SameSite=Strict/i);
  const bad = await fetch(`${server.url}/demo/api/start`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: 'not a number' }),
  });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).code, 'INVALID_ARGUMENT');
});

test('off in production unless the operator turns it on', async () => {
  const env = { OTPD_ENV: 'production', OTPD_DISPATCHER: 'false', OTPD_PUBLIC_URL: 'https://otpd.example.com' };
  // Production refuses the development outbox: a real gateway, never called (no dispatcher).
  const secret = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
  const configYaml = `
delivery:
  gateways:
    - { id: hook, type: http, preset: webhook, url: 'https://hooks.example.com/otp', secret: '${secret}' }
`;
  const off = await startTestServer(env, { configYaml });
  try {
    assert.equal((await fetch(`${off.url}/demo`)).status, 404);
    assert.equal((await off.post('/demo/api/start', { phone: mobile(1) }, { key: null })).status, 404);
  } finally {
    await off.close();
  }
  const on = await startTestServer({ ...env, OTPD_DEMO: 'true' }, { configYaml });
  try {
    assert.equal((await fetch(`${on.url}/demo`)).status, 200);
    const r = await on.post('/demo/api/start', { phone: mobile(2) }, { key: null });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('set-cookie') ?? '', /Secure/, 'cookies only over TLS in production');
  } finally {
    await on.close();
  }
});
