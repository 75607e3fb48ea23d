/**
 * The load generator: autocannon in this process (pinned to its own core). Against several replicas
 * one instance per replica runs in parallel, the connections split between them, sharing one body
 * generator; their responses are counted together and the latency percentiles taken over all of them.
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  /** One base URL per replica. */
  readonly urls: readonly string[];
  readonly path: string;
  readonly connections: number;
  /** Seconds. */
  readonly duration: number;
  readonly headers: Record<string, string>;
  /** A fixed body (cheapest for the generator) or the next request's body. */
  readonly body: string | (() => string | undefined);
  /** How many bodies the generator has left, if it is finite. */
  readonly maxRequests?: number;
}

export interface LoadResult {
  /** Responses (any status) per second of the run. */
  readonly rps: number;
  readonly completed: number;
  readonly durationS: number;
  readonly statusCodes: Record<string, number>;
  /** Connection errors, timeouts included. */
  readonly errors: number;
  /** Over every response, from autocannon's per-response times (not its 1 ms histogram). */
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  /** The body generator ran out (maxRequests) and the run stopped before its duration. */
  readonly exhausted: boolean;
  /** A few bodies of non-2xx responses, to say why without a debugger. */
  readonly errorSamples: string[];
  /** Open loop only: how late the generator sent its requests (p99, ms); the latencies include it. */
  readonly lagMs?: number;
}

/** p50 and p99 over per-response times in ms, to 0.01 ms. */
export function percentiles(latencies: readonly number[]): { readonly p50: number; readonly p99: number } {
  const lat = Float64Array.from(latencies).sort();
  const q = (p: number) => (lat.length ? Math.round(lat[Math.ceil(p * lat.length) - 1]! * 100) / 100 : NaN);
  return { p50: q(0.5), p99: q(0.99) };
}

interface Shared {
  readonly latencies: number[];
  readonly samples: Set<string>;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const sh: Shared = { latencies: [], samples: new Set() };
  const n = o.urls.length;
  // Each instance gets at most its share of the bodies left, so together they never run the generator dry.
  const runs = await Promise.all(
    o.urls.map((url, i) =>
      runOne(
        o,
        sh,
        url,
        Math.floor(o.connections / n) + (i < o.connections % n ? 1 : 0),
        o.maxRequests === undefined ? undefined : Math.floor(o.maxRequests / n),
      ),
    ),
  );
  const statusCodes: Record<string, number> = {};
  for (const r of runs) {
    for (const [code, v] of Object.entries(r.statusCodeStats ?? {})) {
      statusCodes[code] = (statusCodes[code] ?? 0) + Number((v as { count?: number }).count ?? 0);
    }
  }
  const completed = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  const durationS = Math.max(...runs.map((r) => r.duration));
  return {
    rps: durationS > 0 ? completed / durationS : 0,
    completed,
    durationS,
    statusCodes,
    errors: runs.reduce((a, r) => a + r.errors, 0),
    latencyMs: percentiles(sh.latencies),
    exhausted: o.maxRequests !== undefined && durationS < o.duration - 0.5,
    errorSamples: [...sh.samples],
  };
}

function runOne(o: LoadOptions, sh: Shared, url: string, connections: number, max: number | undefined) {
  const request: autocannon.Request = {
    method: 'POST',
    path: o.path,
    onResponse: (status, body) => {
      if ((status < 200 || status > 299) && sh.samples.size < 3) sh.samples.add(`${status} ${body.slice(0, 200)}`);
    },
  };
  const next = o.body;
  if (typeof next === 'string') request.body = next;
  else request.setupRequest = (req) => ({ ...req, body: next() });
  return new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        pipelining: 1,
        duration: o.duration,
        headers: o.headers,
        requests: [request],
        timeout: 10,
        ...(max !== undefined ? { maxOverallRequests: Math.max(1, max) } : {}),
      },
      (err: unknown, r: autocannon.Result) => (err ? reject(new Error(String(err))) : resolve(r)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => sh.latencies.push(ms));
  });
}
