// The console's overview: the counters the store keeps per minute (24 h) or per hour (7 days),
// drawn with uPlot (codes sent and validated over time) and summed into figures and tables.

const $ = (id) => document.getElementById(id);
let chart;

/** The period's count (or `total`) of a metric, in all or for one country or gateway. */
function sum(totals, metric, dim = '', field = 'count') {
  let n = 0;
  for (const p of totals) if (p.metric === metric && p.dim === dim) n += p[field];
  return n;
}

/** `prefix` dims (country:ES, gateway:gw) with each metric's sum. */
function byDim(totals, prefix) {
  const rows = new Map();
  for (const p of totals) {
    if (!p.dim.startsWith(prefix)) continue;
    const key = p.dim.slice(prefix.length);
    const row = rows.get(key) ?? {};
    row[p.metric] = (row[p.metric] ?? 0) + p.count;
    if (p.metric === 'handed') row.wait = (row.wait ?? 0) + p.total;
    rows.set(key, row);
  }
  return [...rows.entries()].sort((a, b) => (b[1].sent ?? b[1].handed ?? 0) - (a[1].sent ?? a[1].handed ?? 0));
}

const percent = (part, whole) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)} %` : '–');

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    td.textContent = String(c);
    tr.append(td);
  }
  return tr;
}

function figures(points) {
  const sent = sum(points, 'sent');
  const validated = sum(points, 'validated');
  const delivered = sum(points, 'delivered');
  const undelivered = sum(points, 'undelivered');
  const handed = sum(points, 'handed');
  const refused = points.filter((p) => p.metric.startsWith('refused:')).reduce((n, p) => n + p.count, 0);
  const wait = handed > 0 ? `${Math.round(sum(points, 'handed', '', 'total') / handed)} ms` : '–';
  const shown = {
    'fig-sent': sent,
    'fig-validated': validated,
    'fig-conversion': percent(validated, sent),
    'fig-expired': sum(points, 'expired'),
    'fig-failed': sum(points, 'failed'),
    'fig-handed': handed,
    'fig-wait': wait,
    'fig-delivery': percent(delivered, delivered + undelivered),
    'fig-refused': refused,
  };
  for (const [id, value] of Object.entries(shown)) $(id).textContent = String(value);
}

function tables(points) {
  $('by-country')
    .querySelector('tbody')
    .replaceChildren(
      ...byDim(points, 'country:').map(([c, m]) =>
        row([c, m.sent ?? 0, m.validated ?? 0, percent(m.validated ?? 0, m.sent ?? 0)]),
      ),
    );
  $('by-gateway')
    .querySelector('tbody')
    .replaceChildren(
      ...byDim(points, 'gateway:').map(([g, m]) =>
        row([
          g,
          m.handed ?? 0,
          m.handed ? `${Math.round((m.wait ?? 0) / m.handed)} ms` : '–',
          m.delivered ?? 0,
          m.undelivered ?? 0,
        ]),
      ),
    );
  const refusals = new Map();
  for (const p of points)
    if (p.metric.startsWith('refused:') && p.dim === '')
      refusals.set(p.metric.slice(8), (refusals.get(p.metric.slice(8)) ?? 0) + p.count);
  $('by-defence')
    .querySelector('tbody')
    .replaceChildren(...[...refusals.entries()].sort((a, b) => b[1] - a[1]).map(([d, n]) => row([d, n])));
}

function draw(data) {
  const step = data.resolution === 'minute' ? 60 : 3600;
  const from = Date.parse(data.from) / 1000;
  const n = Math.round((Date.parse(data.to) / 1000 - from) / step);
  const xs = Array.from({ length: n }, (_, i) => from + i * step);
  const series = (metric) => {
    const ys = new Array(n).fill(0);
    for (const p of data.series) {
      if (p.metric !== metric) continue;
      const i = Math.round((Date.parse(p.at) / 1000 - from) / step);
      if (i >= 0 && i < n) ys[i] += p.count;
    }
    return ys;
  };
  const box = $('chart');
  const opts = {
    width: Math.max(280, box.clientWidth),
    height: 260,
    series: [
      {},
      { label: 'Codes sent', stroke: '#0b5cad', width: 2 },
      { label: 'Validated', stroke: '#1a7f37', width: 2 },
      { label: 'Expired', stroke: '#9a6700', width: 2 },
    ],
    axes: [{}, { label: data.resolution === 'minute' ? 'per minute' : 'per hour' }],
  };
  chart?.destroy();
  fitToBox(box);
  chart = new window.uPlot(opts, [xs, series('sent'), series('validated'), series('expired')], box);
}

// The chart follows its box's width (a phone turned, a window resized).
let observed;
function fitToBox(box) {
  if (observed) return;
  observed = new ResizeObserver(() => chart?.setSize({ width: Math.max(280, box.clientWidth), height: 260 }));
  observed.observe(box);
}

export async function loadOverview(call, status) {
  const range = $('range').value;
  const r = await call('GET', `/admin/stats/series?range=${range}`);
  if (!r.ok) return status(r.data?.message ?? 'Could not read the counters.', true);
  figures(r.data.totals);
  tables(r.data.totals);
  draw(r.data);
  status(`Last ${range === '24h' ? '24 hours, per minute' : '7 days, per hour'}.`);
}
