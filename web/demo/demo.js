// The demo sign-in page: a phone number checked as it is typed (libphonenumber-js), then the code,
// read by the browser where it can (WebOTP), against the demo's own backend (/demo/api/*): the page
// never holds an API key.

const body = document.body;
const t = JSON.parse(body.dataset.texts);
const lang = body.dataset.lang;
const $ = (id) => document.getElementById(id);
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''));
const phoneLib = window.libphonenumber;

function show(step) {
  for (const id of ['phone-step', 'code-step', 'done']) $(id).hidden = id !== step;
}

function say(id, text) {
  const el = $(id);
  el.textContent = text ?? '';
  el.hidden = !text;
  const input = id === 'phone-error' ? $('phone') : $('code');
  if (text) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

async function call(method, path, payload) {
  const res = await fetch(path, {
    method,
    headers: payload ? { 'content-type': 'application/json' } : {},
    body: payload ? JSON.stringify(payload) : undefined,
    credentials: 'same-origin',
  });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  return { ok: res.ok, status: res.status, data };
}

// Countries, named in the page's language, the page's default first.
function fillCountries() {
  const names = new Intl.DisplayNames([lang], { type: 'region' });
  const select = $('country');
  const countries = phoneLib
    .getCountries()
    .map((c) => ({ c, name: names.of(c) ?? c }))
    .sort((a, b) => a.name.localeCompare(b.name, lang));
  for (const { c, name } of countries) {
    const option = new Option(`${name} (+${phoneLib.getCountryCallingCode(c)})`, c);
    select.add(option);
  }
  select.value = body.dataset.country;
}

function typedNumber() {
  const raw = $('phone').value.trim();
  if (!raw) return null;
  const n = phoneLib.parsePhoneNumberFromString(raw, $('country').value);
  return n?.isValid() ? n : null;
}

function checkAsTyped(final) {
  const raw = $('phone').value.trim();
  const n = typedNumber();
  // While typing, a number too short to judge is not an error yet.
  const judge = final || (raw.replace(/\D/g, '').length >= 8 && !n);
  say('phone-error', judge && !n ? t.phoneInvalid : null);
  return n;
}

let timer;
function countdown(seconds) {
  clearInterval(timer);
  const until = Date.now() + seconds * 1000;
  const tick = () => {
    const left = Math.ceil((until - Date.now()) / 1000);
    $('resend').disabled = left > 0;
    $('countdown').textContent = left > 0 ? fill(t.resendIn, { seconds: left }) : '';
    if (left <= 0) clearInterval(timer);
  };
  tick();
  timer = setInterval(tick, 1000);
}

let webOtp;
function listenForSms() {
  if (!('OTPCredential' in window)) return;
  webOtp?.abort();
  webOtp = new AbortController();
  navigator.credentials
    .get({ otp: { transport: ['sms'] }, signal: webOtp.signal })
    .then((otp) => {
      if (!otp?.code) return;
      $('code').value = otp.code;
      $('code-form').requestSubmit();
    })
    .catch(() => {});
}

// Development: shows what the development outbox caught, asking each second until a text is there
// (the dispatcher hands it over a moment after the code was accepted).
let outboxRun = 0;
async function showOutbox() {
  if (body.dataset.outbox !== 'on') return;
  const run = ++outboxRun;
  $('outbox').hidden = false;
  $('outbox-text').textContent = t.outboxEmpty;
  for (let i = 0; i < 30 && run === outboxRun; i++) {
    const r = await call('GET', '/demo/api/outbox');
    if (run !== outboxRun) return;
    if (r.ok && r.data.text) {
      $('outbox-text').textContent = r.data.text;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

let number;
async function start(resend) {
  const r = await call('POST', '/demo/api/start', { phone: number.number, lang });
  if (!r.ok) {
    const refused =
      r.status === 429 || r.data?.code === 'RECIPIENT_BLOCKED' || r.data?.code === 'RECIPIENT_NOT_ALLOWED';
    const message = r.status === 400 ? t.phoneInvalid : refused ? t.sendRefused : t.failed;
    if (resend) say('code-error', message);
    else say('phone-error', message);
    return;
  }
  show('code-step');
  $('sent-to').textContent = resend
    ? `${fill(t.sentTo, { to: r.data.to })} ${t.resent}`
    : fill(t.sentTo, { to: r.data.to });
  say('code-error', null);
  countdown(r.data.resendAfterSeconds);
  $('code').focus();
  listenForSms();
  await showOutbox();
}

async function check() {
  const code = $('code').value.trim();
  if (!code) return say('code-error', fill(t.wrong, { left: '…' }));
  const r = await call('POST', '/demo/api/check', { code });
  if (r.ok && r.data.valid) return signedIn();
  if (r.ok && r.data.status === 'pending') return say('code-error', fill(t.wrong, { left: r.data.checksLeft }));
  if (r.ok && r.data.status === 'expired') return say('code-error', t.expired);
  if ((r.ok && r.data.status === 'failed') || r.status === 429) return say('code-error', t.tooMany);
  if (r.status === 400) return say('code-error', fill(t.wrong, { left: '…' }));
  return say('code-error', t.failed);
}

async function signedIn() {
  const me = await call('GET', '/demo/api/me');
  if (!me.ok || !me.data.signedIn) return say('code-error', t.failed);
  webOtp?.abort();
  clearInterval(timer);
  $('done-to').textContent = fill(t.signedInAs, { to: me.data.to });
  show('done');
  $('done-title').focus();
}

function wire() {
  fillCountries();
  $('phone').addEventListener('input', () => checkAsTyped(false));
  $('country').addEventListener('change', () => checkAsTyped(false));
  $('phone-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    number = checkAsTyped(true);
    if (number) void start(false);
    else $('phone').focus();
  });
  $('code-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void check();
  });
  $('resend').addEventListener('click', () => void start(true));
  $('change').addEventListener('click', () => {
    webOtp?.abort();
    show('phone-step');
    $('phone').focus();
  });
  $('signout').addEventListener('click', async () => {
    await call('POST', '/demo/api/signout');
    $('phone').value = '';
    $('code').value = '';
    show('phone-step');
  });
  $('done-title').tabIndex = -1;
  void call('GET', '/demo/api/me').then((me) => {
    if (!me.ok || !me.data.signedIn) return;
    $('done-to').textContent = fill(t.signedInAs, { to: me.data.to });
    show('done');
  });
}

wire();
