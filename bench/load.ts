/**
 * Autocannon runs in this (load-generator) process. Every request body comes from a generator,
 * so each request can carry a distinct phone number or authenticationId. Against several replicas
 * one instance per replica runs in parallel, sharing the generator, and the results are merged.
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  readonly title: string;
  /**
   * Base URL, e.g. http://127.0.0.1:1234, or one per replica: the connections are then split
   * evenly over them (one autocannon instance each, in parallel).
   */
  readonly url: string | readonly string[];
  readonly path: string;
  readonly connections: number;
  /** Seconds. */
  readonly duration: number;
  readonly headers: Record<string, string>;
  /**
   * A fixed body (cheapest for the generator), or a function giving the next request's body;
   * undefined when the generator is exhausted (the run then stops early).
   */
  readonly body: string | (() => string | undefined);
  /** Stop after this many requests (autocannon maxOverallRequests), e.g. when ids would run out. */
  readonly maxRequests?: number;
  /** Text every response with the expected status must contain (e.g. an error code); others count as mismatches. */
  readonly expect?: { readonly status: number; readonly bodyIncludes: string };
}

export interface LoadResult {
  readonly title: string;
  /** Responses (all statuses) per second of the run: completed / durationS. */
  readonly rps: number;
  /** autocannon's own figure: the mean of its per-second samples. */
  readonly rpsAutocannon: number;
  /** Responses received (all statuses). */
  readonly completed: number;
  readonly durationS: number;
  /** Every response (all statuses), from autocannon's hrtime-based response times, not its 1 ms histogram. */
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly mean: number; readonly max: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly statusCodes: Record<string, number>;
  /** Up to five distinct bodies of non-2xx responses, to say why without a debugger. */
  readonly errorSamples: string[];
  /** Responses with the expected status whose body lacked `expect.bodyIncludes`. */
  readonly bodyMismatches: number;
  /** The body generator (or maxRequests) ran out and the run ended before its duration. */
  readonly exhausted: boolean;
  /** With several URLs: each replica's share, to show the load was spread. */
  readonly perUrl?: readonly { readonly url: string; readonly completed: number; readonly rps: number; readonly p99: number }[];
}

interface OneRun {
  readonly result: LoadResult;
  readonly latencies: number[];
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  if (typeof o.url === 'string') return (await runOne({ ...o, url: o.url })).result;
  const urls = o.url;
  if (urls.length === 1) return (await runOne({ ...o, url: urls[0]! })).result;
  // Each instance gets at most its share of maxRequests, so together they never ask the shared
  // generator for more bodies than it has (past its end a request would repeat the last body).
  const runs = await Promise.all(urls.map((url, i) => runOne({
    ...o, url, title: `${o.title} @${i + 1}`,
    connections: Math.floor(o.connections / urls.length) + (i < o.connections % urls.length ? 1 : 0),
    maxRequests: o.maxRequests === undefined ? undefined : Math.floor(o.maxRequests / urls.length),
  })));
  return merge(o.title, urls, runs);
}

/** What one instance observed beyond autocannon's own result. */
interface RunState {
  readonly errorSamples: Set<string>;
  bodyMismatches: number;
  exhausted: boolean;
  lastBody: string;
}

function buildRequest(o: LoadOptions, st: RunState, stop: () => void): autocannon.Request {
  const next = o.body;
  const request: autocannon.Request = {
    method: 'POST',
    path: o.path,
    onResponse: (status, body) => {
      if ((status < 200 || status > 299) && st.errorSamples.size < 5) st.errorSamples.add(`${status} ${body.slice(0, 200)}`);
      if (o.expect && status === o.expect.status && !body.includes(o.expect.bodyIncludes)) st.bodyMismatches++;
    },
  };
  if (typeof next === 'string') {
    request.body = next;
    return request;
  }
  request.setupRequest = (req) => {
    const b = next();
    if (b === undefined) {
      if (!st.exhausted) {
        st.exhausted = true;
        setImmediate(stop);
      }
      req.body = st.lastBody;
      return req;
    }
    st.lastBody = b;
    req.body = b;
    return req;
  };
  return request;
}

async function runOne(o: LoadOptions & { readonly url: string }): Promise<OneRun> {
  if (o.maxRequests !== undefined && o.maxRequests < o.connections) return { result: nothingSent(o.title), latencies: [] };
  const st: RunState = { errorSamples: new Set(), bodyMismatches: 0, exhausted: false, lastBody: '' };
  let instance: autocannon.Instance | undefined;
  const latencies: number[] = [];
  const request = buildRequest(o, st, () => instance?.stop());
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({
      title: o.title,
      url: o.url,
      connections: o.connections,
      pipelining: 1,
      duration: o.duration,
      headers: o.headers,
      requests: [request],
      timeout: 10,
      ...(o.maxRequests !== undefined ? { maxOverallRequests: Math.max(o.connections, Math.floor(o.maxRequests)) } : {}),
    }, (err: unknown, result: autocannon.Result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result)));
    instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  });
  const statusCodes: Record<string, number> = {};
  let completed = 0;
  for (const [code, v] of Object.entries(r.statusCodeStats ?? {})) {
    const n = Number((v as { count?: number }).count ?? 0);
    statusCodes[code] = n;
    completed += n;
  }
  const result: LoadResult = {
    title: o.title, rps: completed / r.duration, rpsAutocannon: r.requests.average, completed, durationS: r.duration,
    latencyMs: latencyStats(latencies), non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, statusCodes,
    errorSamples: [...st.errorSamples], bodyMismatches: st.bodyMismatches,
    exhausted: st.exhausted || (o.maxRequests !== undefined && r.duration < o.duration - 0.5),
  };
  return { result, latencies };
}

/**
 * One result for parallel runs: responses add up over the longest run's duration, and the latency
 * percentiles are taken over every response of every run (not the worse of the per-run p99s).
 */
function merge(title: string, urls: readonly string[], runs: readonly OneRun[]): LoadResult {
  const rs = runs.map((r) => r.result);
  const sum = (f: (r: LoadResult) => number) => rs.reduce((a, r) => a + f(r), 0);
  const statusCodes: Record<string, number> = {};
  for (const r of rs) for (const [c, n] of Object.entries(r.statusCodes)) statusCodes[c] = (statusCodes[c] ?? 0) + n;
  const completed = sum((r) => r.completed);
  const durationS = Math.max(...rs.map((r) => r.durationS));
  return {
    title, completed, durationS, statusCodes,
    rps: durationS > 0 ? completed / durationS : 0,
    rpsAutocannon: sum((r) => r.rpsAutocannon),
    latencyMs: latencyStats(runs.flatMap((r) => r.latencies)),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    errorSamples: [...new Set(rs.flatMap((r) => r.errorSamples))].slice(0, 5),
    bodyMismatches: sum((r) => r.bodyMismatches),
    exhausted: rs.some((r) => r.exhausted),
    perUrl: rs.map((r, i) => ({ url: urls[i]!, completed: r.completed, rps: r.rps, p99: r.latencyMs.p99 })),
  };
}

/** The generator had fewer requests left than there are connections: nothing is sent. */
function nothingSent(title: string): LoadResult {
  return {
    title, rps: 0, rpsAutocannon: 0, completed: 0, durationS: 0, latencyMs: latencyStats([]), non2xx: 0, errors: 0, timeouts: 0,
    statusCodes: {}, errorSamples: [], bodyMismatches: 0, exhausted: true,
  };
}

function latencyStats(ms: number[]): LoadResult['latencyMs'] {
  if (ms.length === 0) return { p50: NaN, p90: NaN, p99: NaN, mean: NaN, max: NaN };
  const sorted = Float64Array.from(ms).sort();
  const q = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!);
  let sum = 0;
  for (const v of sorted) sum += v;
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99), mean: round(sum / sorted.length), max: round(sorted[sorted.length - 1]!) };
}

const round = (v: number) => Math.round(v * 100) / 100;
