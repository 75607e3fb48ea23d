/**
 * One autocannon run in this (load-generator) process. Every request body comes from a generator,
 * so each request can carry a distinct phone number or authenticationId.
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  readonly title: string;
  /** Base URL, e.g. http://127.0.0.1:1234 */
  readonly url: string;
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
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  if (o.maxRequests !== undefined && o.maxRequests < o.connections) return nothingSent(o.title);
  const errorSamples = new Set<string>();
  let bodyMismatches = 0;
  let exhausted = false;
  let lastBody = '';
  let instance: autocannon.Instance | undefined;
  const latencies: number[] = [];
  const next = o.body;
  const request: autocannon.Request = {
    method: 'POST',
    path: o.path,
    onResponse: (status, body) => {
      if ((status < 200 || status > 299) && errorSamples.size < 5) errorSamples.add(`${status} ${body.slice(0, 200)}`);
      if (o.expect && status === o.expect.status && !body.includes(o.expect.bodyIncludes)) bodyMismatches++;
    },
  };
  if (typeof next === 'string') {
    request.body = next;
  } else {
    request.setupRequest = (req) => {
      const b = next();
      if (b === undefined) {
        if (!exhausted) {
          exhausted = true;
          setImmediate(() => instance?.stop());
        }
        req.body = lastBody;
        return req;
      }
      lastBody = b;
      req.body = b;
      return req;
    };
  }
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
  return {
    title: o.title,
    rps: completed / r.duration,
    rpsAutocannon: r.requests.average,
    completed,
    durationS: r.duration,
    latencyMs: latencyStats(latencies),
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    errorSamples: [...errorSamples],
    bodyMismatches,
    exhausted: exhausted || (o.maxRequests !== undefined && r.duration < o.duration - 0.5),
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
