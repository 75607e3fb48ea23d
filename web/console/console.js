// The operator console: signs in by exchanging an API key for a session cookie, then calls otpd's
// admin API with that cookie and the session's CSRF token. Numbers are masked everywhere except
// the one the operator searched for.
import { loadOverview } from './overview.js';

const $ = (id) => document.getElementById(id);
let csrf = '';
let searched = '';

const mask = (n) =>
  n && n !== searched && n.length > 6 ? `${n.slice(0, 5)}${'•'.repeat(n.length - 7)}${n.slice(-2)}` : n;
const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  return td;
}

function button(label, onClick, name) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (name) b.setAttribute('aria-label', `${label} ${name}`);
  b.addEventListener('click', onClick);
  return b;
}

function status(text, error) {
  const s = $('status');
  s.textContent = text ?? '';
  s.classList.toggle('error', !!error);
}

async function call(method, path, payload) {
  const headers = { 'x-csrf-token': csrf };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: payload === undefined ? undefined : JSON.stringify(payload),
    credentials: 'same-origin',
  });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  // The session ended (expired, signed out elsewhere, or its key revoked): back to the sign-in form.
  if (res.status === 401 && !path.startsWith('/console/api/session'))
    signedOut('Your session has ended. Sign in again.');
  return { ok: res.ok, status: res.status, data };
}

function signedOut(message) {
  csrf = '';
  $('app').hidden = true;
  $('who').hidden = true;
  $('signin').hidden = false;
  const err = $('signin-error');
  err.textContent = message ?? '';
  err.hidden = !message;
  $('key').focus();
}

function signedIn(s) {
  csrf = s.csrf;
  $('signin').hidden = true;
  $('app').hidden = false;
  $('who').hidden = false;
  $('who-text').textContent = `${s.kind === 'operator' ? 'Operator' : 'Tenant'} ${s.clientId}`;
  void showTab('overview');
}

async function showTab(name) {
  for (const b of document.querySelectorAll('nav [data-tab]')) {
    if (b.dataset.tab === name) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  for (const p of document.querySelectorAll('[data-panel]')) p.hidden = p.dataset.panel !== name;
  status('');
  await LOADERS[name]();
}

function fillTable(id, rows) {
  const body = $(id).querySelector('tbody');
  body.replaceChildren(...rows);
}

async function loadKeys() {
  const r = await call('GET', '/admin/keys');
  if (!r.ok) return status(r.data?.message ?? 'Could not read the keys.', true);
  fillTable(
    'keys',
    r.data.keys.map((k) => {
      const tr = document.createElement('tr');
      tr.dataset.key = k.id;
      tr.append(cell(k.name), cell(k.id), cell(k.clientId), cell(k.kind), cell(when(k.createdAt)));
      tr.append(cell(k.revokedAt ? `revoked ${when(k.revokedAt)}` : 'active'));
      const action = document.createElement('td');
      if (!k.revokedAt) action.append(button('Revoke', () => revoke(k), k.name));
      tr.append(action);
      return tr;
    }),
  );
}

async function revoke(k) {
  if (!window.confirm(`Revoke the key "${k.name}"? It stops working at once.`)) return;
  const r = await call('POST', `/admin/keys/${encodeURIComponent(k.id)}/revoke`);
  if (r.status === 401) return;
  status(r.ok ? `Key "${k.name}" revoked.` : (r.data?.message ?? 'Could not revoke the key.'), !r.ok);
  await loadKeys();
}

async function createKey(ev) {
  ev.preventDefault();
  const name = $('key-name').value.trim();
  if (!name) return status('Give the key a name.', true);
  const r = await call('POST', '/admin/keys', { name });
  if (!r.ok) return status(r.data?.message ?? 'Could not create the key.', true);
  $('secret').textContent = r.data.secret;
  $('secret-box').hidden = false;
  $('key-name').value = '';
  status(`Key "${r.data.name}" created.`);
  await loadKeys();
}

let messagesRun = 0;
async function loadMessages() {
  const to = $('message-to').value.trim();
  const st = $('message-status').value;
  const run = ++messagesRun;
  const q = new URLSearchParams({ limit: '50' });
  if (to) q.set('to', to);
  if (st) q.set('status', st);
  const r = await call('GET', `/admin/messages?${q}`);
  // An older search answered late is not shown over a newer one.
  if (run !== messagesRun) return;
  searched = to;
  if (!r.ok) return status(r.data?.message ?? 'Could not read the messages.', true);
  const items = r.data.messages.map((m) => {
    const li = document.createElement('li');
    li.className = 'message';
    const head = document.createElement('p');
    const error = m.lastError ? ` (${m.lastError})` : '';
    head.textContent = `${when(m.createdAt)} · ${m.channel} to ${mask(m.to)} · ${m.status}${error}`;
    const steps = document.createElement('ul');
    for (const a of m.attempts) {
      const step = document.createElement('li');
      const why = a.error ? ` (${a.error})` : '';
      step.textContent = `attempt ${a.attempt} via ${a.gateway}: ${a.outcome}${why}, ${a.latencyMs} ms`;
      steps.append(step);
    }
    li.append(head, steps);
    return li;
  });
  $('timeline').replaceChildren(...items);
  const of = to ? ` to ${to}` : '';
  status(items.length ? `${items.length} message(s)${of}.` : `No messages${of}.`);
}

function line(text) {
  const li = document.createElement('li');
  li.textContent = text;
  return li;
}

/** A number's verifications, each with its sends, their attempts and its checks, newest first. */
async function searchVerifications() {
  const phone = $('verification-phone').value.replace(/[\s-]/g, '');
  if (!phone) return status('');
  const r = await call('GET', `/admin/verifications?phone=${encodeURIComponent(phone)}`);
  if (!r.ok) return status(r.data?.message ?? 'Could not search.', true);
  const items = r.data.verifications.map((v) => {
    const li = document.createElement('li');
    li.className = 'message';
    const head = document.createElement('p');
    const channel = v.channel ?? 'sms';
    head.textContent = `${when(v.createdAt)} · ${channel} to ${r.data.phone} · ${v.status} · tenant ${v.clientId}`;
    const steps = document.createElement('ul');
    steps.append(line(`created ${when(v.createdAt)}, expires ${when(v.expiresAt)}`));
    for (const [i, send] of v.sends.entries()) {
      steps.append(
        line(`send ${i + 1} at ${when(send.createdAt)}: ${send.status}${send.lastError ? ` (${send.lastError})` : ''}`),
      );
      for (const a of send.attempts) {
        const why = a.error ? ` (${a.error})` : '';
        steps.append(line(`  attempt ${a.attempt} via ${a.gateway}: ${a.outcome}${why}, ${a.latencyMs} ms`));
      }
    }
    steps.append(line(`checks: ${v.checks.used} of ${v.checks.allowed}`));
    if (v.finishedAt) steps.append(line(`${v.status} at ${when(v.finishedAt)}`));
    li.append(head, steps);
    return li;
  });
  $('verification-timeline').replaceChildren(...items);
  status(items.length ? `${items.length} verification(s) of ${r.data.phone}.` : `No verifications of ${r.data.phone}.`);
}

async function loadRules() {
  const r = await call('GET', '/admin/number-rules');
  if (!r.ok) return status(r.data?.message ?? 'Could not read the rules.', true);
  fillTable(
    'rules',
    r.data.rules.map((rule) => {
      const tr = document.createElement('tr');
      tr.append(cell(rule.kind), cell(rule.prefix), cell(rule.note));
      const action = document.createElement('td');
      action.append(button('Remove', () => removeRule(rule), `${rule.kind} ${rule.prefix}`));
      tr.append(action);
      return tr;
    }),
  );
}

async function addRule(ev) {
  ev.preventDefault();
  const rule = { kind: $('rule-kind').value, prefix: $('rule-prefix').value.trim() };
  const note = $('rule-note').value.trim();
  const r = await call('POST', '/admin/number-rules', note ? { ...rule, note } : rule);
  if (!r.ok) return status(r.data?.message ?? 'Could not add the rule.', true);
  $('rule-prefix').value = '';
  $('rule-note').value = '';
  status(`Rule ${r.data.kind} ${r.data.prefix} added.`);
  await loadRules();
}

async function removeRule(rule) {
  const q = new URLSearchParams({ kind: rule.kind, prefix: rule.prefix });
  const r = await call('DELETE', `/admin/number-rules?${q}`);
  status(r.ok ? `Rule ${rule.kind} ${rule.prefix} removed.` : (r.data?.message ?? 'Could not remove it.'), !r.ok);
  await loadRules();
}

async function loadBlocks() {
  const r = await call('GET', '/admin/abuse/blocks');
  if (!r.ok) return status(r.data?.message ?? 'Could not read the blocks.', true);
  fillTable(
    'blocks',
    r.data.blocks.map((b) => {
      const tr = document.createElement('tr');
      tr.append(cell(b.scope), cell(`${b.action ?? 'block'}${b.shadow ? ' (shadow)' : ''}`), cell(b.reason));
      tr.append(cell(when(b.until)));
      const action = document.createElement('td');
      action.append(
        button(
          'Lift',
          async () => {
            const x = await call('DELETE', `/admin/abuse/blocks/${encodeURIComponent(b.scope)}`);
            status(x.ok ? `Lifted ${b.scope}.` : (x.data?.message ?? 'Could not lift it.'), !x.ok);
            await loadBlocks();
          },
          b.scope,
        ),
      );
      tr.append(action);
      return tr;
    }),
  );
  if (r.data.blocks.length === 0) status('No blocks in force.');
}

async function loadPolicies() {
  const r = await call('GET', '/admin/clients');
  if (!r.ok) return status(r.data?.message ?? 'Could not read the policies.', true);
  const countries = (c) => (c ? `${c.mode} ${c.list.join(', ')}` : 'default');
  fillTable(
    'policies',
    r.data.clients.map((p) =>
      row([
        p.clientId,
        countries(p.countries),
        p.dailyMessages ?? 'default',
        p.dailyBudget ?? 'default',
        when(p.updatedAt) || '–',
      ]),
    ),
  );
  if (r.data.clients.length === 0) status('No tenant has a policy of its own.');
}

async function setPolicy(ev) {
  ev.preventDefault();
  const client = $('policy-client').value.trim();
  const messages = $('policy-messages').value.trim();
  const list = $('policy-countries')
    .value.split(/[\s,]+/)
    .filter(Boolean)
    .map((c) => c.toUpperCase());
  const body = {
    dailyMessages: messages ? Number(messages) : null,
    countries: list.length ? { mode: 'allow', list } : null,
  };
  const r = await call('PUT', `/admin/clients/${encodeURIComponent(client)}/policy`, body);
  if (!r.ok) return status(r.data?.message ?? 'Could not set the policy.', true);
  await loadPolicies();
  status(`Policy of ${client} set.`);
}

async function loadGateways() {
  const r = await call('GET', '/admin/gateways');
  if (!r.ok) return status(r.data?.message ?? 'Could not read the gateways.', true);
  fillTable(
    'gateways',
    r.data.gateways.map((g) => {
      const h = g.recent;
      const errors = g.recentErrors.map((e) => `${when(e.at)}: ${e.error}`).join('; ');
      const wait = h.meanWaitMs === null ? '–' : `${h.meanWaitMs} ms`;
      const circuit = g.cause ? `${g.circuit} (${g.cause})` : g.circuit;
      return row([g.id, g.link, circuit, h.handed, wait, h.delivered, h.undelivered, errors || 'none']);
    }),
  );
  status(
    r.data.degraded ? 'Delivery is degraded: a route has no usable gateway.' : 'Every route has a usable gateway.',
  );
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) tr.append(cell(String(c)));
  return tr;
}

const LOADERS = {
  overview: () => loadOverview(call, status),
  verifications: searchVerifications,
  keys: loadKeys,
  messages: loadMessages,
  rules: loadRules,
  policies: loadPolicies,
  blocks: loadBlocks,
  gateways: loadGateways,
};

async function signIn(ev) {
  ev.preventDefault();
  const key = $('key').value.trim();
  const r = await call('POST', '/console/api/session', { key });
  $('key').value = '';
  if (!r.ok) {
    const denied = r.status === 403 ? 'This key has no admin scope.' : 'That key is not valid.';
    return signedOut(denied);
  }
  signedIn(r.data);
}

async function signOut() {
  await call('DELETE', '/console/api/session');
  signedOut();
}

$('signin-form').addEventListener('submit', signIn);
$('signout').addEventListener('click', signOut);
$('key-form').addEventListener('submit', createKey);
$('message-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  void loadMessages();
});
$('rule-form').addEventListener('submit', addRule);
$('policy-form').addEventListener('submit', setPolicy);
$('verification-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  void searchVerifications();
});
$('range').addEventListener('change', () => void loadOverview(call, status));
for (const b of document.querySelectorAll('nav [data-tab]')) b.addEventListener('click', () => showTab(b.dataset.tab));

const current = await call('GET', '/console/api/session');
if (current.ok && current.data.signedIn) signedIn(current.data);
else signedOut();
