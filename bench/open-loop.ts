/**
 * The open-loop generator: requests leave at a fixed rate whatever the answers do, as many users'
 * would, over up to `connections` keep-alive connections (split over the replicas). Each one's
 * latency runs from when it was issued, so the time it waits for a free connection behind a slow
 * server counts (no coordinated omission); the time it was issued late because this process's core
 * was busy (another process, a GC pause) is not the server's and is reported apart (lagMs).
 * autocannon's --overallRate is not an open loop: each connection sends back to back until its
 * share of the second is used up, then waits for the next second, a closed loop in bursts.
 */
import { Agent, request } from 'node:http';
import { percentiles, type LoadOptions, type LoadResult } from './load.ts';

export interface OpenLoopOptions extends LoadOptions {
  /** Requests per second over all replicas. */
  readonly rate: number;
}

interface State {
  readonly latencies: number[];
  readonly statusCodes: Record<string, number>;
  readonly samples: Set<string>;
  errors: number;
  outstanding: number;
  /** How late the generator sent each request, in ms: above a few ms, it could not keep the rate. */
  readonly lags: number[];
}

function fire(o: OpenLoopOptions, st: State, agent: Agent, url: URL, body: string, due: number): void {
  const sent = performance.now();
  st.lags.push(sent - due);
  st.outstanding++;
  const done = (status: number | undefined) => {
    st.outstanding--;
    if (status === undefined) st.errors++;
    else {
      st.latencies.push(performance.now() - sent);
      st.statusCodes[status] = (st.statusCodes[status] ?? 0) + 1;
    }
  };
  const req = request(
    {
      agent,
      host: url.hostname,
      port: url.port,
      path: o.path,
      method: 'POST',
      headers: { ...o.headers, 'content-length': Buffer.byteLength(body) },
      timeout: 10_000,
    },
    (res) => {
      const status = res.statusCode ?? 0;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if ((status < 200 || status > 299) && text.length < 200) text += c;
      });
      res.on('end', () => {
        if (text && st.samples.size < 3) st.samples.add(`${status} ${text.slice(0, 200)}`);
        done(status);
      });
      res.on('error', () => done(undefined));
    },
  );
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => done(undefined));
  req.end(body);
}

/** Sends at `rate` for `duration` seconds, then waits (at most 10 s) for the answers still due. */
export async function runOpenLoop(o: OpenLoopOptions): Promise<LoadResult> {
  const st: State = { latencies: [], statusCodes: {}, samples: new Set(), errors: 0, outstanding: 0, lags: [] };
  const targets = o.urls.map((u, i) => ({
    url: new URL(u),
    agent: new Agent({
      keepAlive: true,
      maxSockets: Math.max(1, Math.floor(o.connections / o.urls.length) + (i < o.connections % o.urls.length ? 1 : 0)),
    }),
  }));
  const interval = 1000 / o.rate;
  const t0 = performance.now();
  const end = t0 + o.duration * 1000;
  let n = 0;
  let exhausted = false;
  // A 1 ms timer, not a busy loop: the generator's core also runs the fake provider of the HTTP phases.
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      for (let due = t0 + n * interval; due <= now && due < end; due = t0 + n * interval) {
        const body = typeof o.body === 'string' ? o.body : o.body();
        if (body === undefined) {
          exhausted = true;
          break;
        }
        const t = targets[n++ % targets.length]!;
        fire(o, st, t.agent, t.url, body, due);
      }
      if (exhausted || t0 + n * interval >= end) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sentFor = (performance.now() - t0) / 1000;
  for (const stop = performance.now() + 10_000; st.outstanding > 0 && performance.now() < stop; )
    await new Promise((r) => setTimeout(r, 5));
  for (const t of targets) t.agent.destroy();
  const completed = Object.values(st.statusCodes).reduce((a, b) => a + b, 0);
  return {
    rps: completed / sentFor,
    completed,
    durationS: sentFor,
    statusCodes: st.statusCodes,
    errors: st.errors + st.outstanding,
    latencyMs: percentiles(st.latencies),
    exhausted,
    errorSamples: [...st.samples],
    lagMs: percentiles(st.lags).p99,
  };
}
