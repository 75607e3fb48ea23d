/**
 * Setup traffic against otpd (not measured): distinct phone numbers, pre-created verifications with
 * their codes read back from the development outbox, and "is the dispatcher drained?" from /metrics.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export const SEND = '/one-time-password-sms/v1/send-code';
export const VALIDATE = '/one-time-password-sms/v1/validate-code';
/** The CAMARA example text; the outbox text then starts with the code. */
export const MESSAGE = '{{code}} is your short code to authenticate with Cool App via SMS';
const CODE_IN_TEXT = /^(\S+) is your short code/;

/** Spanish mobiles: '+346' followed by 8 digits, counting up from +34610000000. */
const PREFIX = '+346';
const BASE = 10_000_000;
const LIMIT = 99_999_999 - BASE;

export class Phones {
  #next = 0;
  next(): string {
    if (this.#next > LIMIT) throw new Error('out of phone numbers');
    return PREFIX + String(BASE + this.#next++);
  }
  get used(): number {
    return this.#next;
  }
}

/**
 * The per-number send limits (5 per 15 minutes) stay in force, so every send-code needs a number
 * of its own; this checks that the range we count through is made of valid mobiles (line type
 * MOBILE with full metadata), which otpd requires. Checks both ends and an even spread in between.
 */
export function checkPhoneRange(upTo: number, samples = 2000): void {
  const idx = new Set<number>([0, 1, upTo - 1, upTo]);
  for (let i = 0; i < samples; i++) idx.add(Math.floor((i / samples) * upTo));
  for (const i of idx) {
    const n = PREFIX + String(BASE + i);
    const t = parsePhoneNumberFromString(n)?.getType();
    if (t !== 'MOBILE') throw new Error(`${n} is not a valid mobile number per libphonenumber-js/max (got ${t ?? 'invalid'}); pick another prefix`);
  }
}

export interface PoolEntry {
  readonly id: string;
  readonly code: string;
  readonly createdAt: number;
}

/** A wrong code of the same shape: the last digit changed, so it can never match by chance. */
export function wrongCode(code: string): string {
  const last = code.at(-1) ?? '0';
  const d = /[0-9]/.test(last) ? String((Number(last) + 1) % 10) : last === 'A' ? 'B' : 'A';
  return code.slice(0, -1) + d;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (i < items.length) {
      const k = i++;
      out[k] = await fn(items[k]!);
    }
  }));
  return out;
}

/** Sums the samples of one Prometheus series whose labels include all of `labels`. */
export function sumMetric(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^[^{\s]+(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const have = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[2]);
  }
  return sum;
}

export class OtpdApi {
  readonly base: string;
  readonly #auth: string;

  constructor(base: string, key: string) {
    this.base = base;
    this.#auth = `Bearer ${key}`;
  }

  get headers(): Record<string, string> {
    return { authorization: this.#auth, 'content-type': 'application/json' };
  }

  async #json(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
    const res = await fetch(this.base + path, { ...init, headers: { authorization: this.#auth, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  async sendCode(phone: string): Promise<string> {
    const r = await this.#json(SEND, { method: 'POST', body: JSON.stringify({ phoneNumber: phone, message: MESSAGE }) });
    if (r.status !== 200) throw new Error(`setup send-code ${phone}: ${r.status} ${JSON.stringify(r.body)}`);
    return (r.body as { authenticationId: string }).authenticationId;
  }

  async devMessages(limit: number, to?: string): Promise<{ to: string; text: string }[]> {
    const q = new URLSearchParams({ limit: String(limit), ...(to ? { to } : {}) });
    const r = await this.#json(`/dev/messages?${q}`);
    if (r.status !== 200) throw new Error(`GET /dev/messages: ${r.status} ${JSON.stringify(r.body)}`);
    return (r.body as { messages: { to: string; text: string }[] }).messages;
  }

  async metrics(): Promise<string> {
    const res = await fetch(`${this.base}/metrics`);
    return res.text();
  }

  /** Messages queued by send-code in this process vs delivered by its dispatcher. */
  async backlog(): Promise<{ queued: number; sent: number }> {
    const m = await this.metrics();
    return {
      queued: sumMetric(m, 'otpd_verifications_total', { operation: 'send', outcome: 'queued' }),
      sent: sumMetric(m, 'otpd_dispatch_attempts_total', { outcome: 'sent' }),
    };
  }

  /** Waits until the dispatcher has delivered every message this otpd process queued. */
  async waitDrained(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const b = await this.backlog();
      if (b.sent >= b.queued) return;
      if (Date.now() > deadline) throw new Error(`dispatcher not drained after ${timeoutMs} ms: ${b.sent}/${b.queued} sent`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Creates n verifications with distinct numbers and reads their codes back. Works in chunks of
   * 500 (the most GET /dev/messages returns): send the chunk, wait for the dispatcher to drain it,
   * then one GET returns exactly the chunk's texts, newest first. Stragglers are read one by one.
   * Assumes this otpd process started with an empty outbox queue.
   */
  async createPool(n: number, phones: Phones, concurrency = 32, onProgress?: (done: number) => void): Promise<PoolEntry[]> {
    const pool: PoolEntry[] = [];
    while (pool.length < n) {
      const batch = Array.from({ length: Math.min(500, n - pool.length) }, () => phones.next());
      const createdAt = Date.now();
      const ids = await mapLimit(batch, concurrency, (p) => this.sendCode(p));
      await this.waitDrained();
      const codes = new Map<string, string>();
      for (const m of await this.devMessages(500)) if (!codes.has(m.to)) codes.set(m.to, m.text);
      for (let i = 0; i < batch.length; i++) {
        const phone = batch[i]!;
        let text = codes.get(phone);
        if (text === undefined) text = (await this.devMessages(1, phone))[0]?.text;
        const code = text ? CODE_IN_TEXT.exec(text)?.[1] : undefined;
        if (!code) throw new Error(`no code in the development outbox for ${phone}`);
        pool.push({ id: ids[i]!, code, createdAt });
      }
      onProgress?.(pool.length);
    }
    return pool;
  }
}

/**
 * Waits until every message the given replicas queued has been delivered. The replicas share one
 * outbox, so one replica's dispatcher may deliver what another queued: only the sums compare.
 */
export async function waitDrainedAll(apis: readonly OtpdApi[], timeoutMs = 120_000): Promise<void> {
  if (apis.length === 1) return apis[0]!.waitDrained(timeoutMs);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await Promise.all(apis.map((a) => a.backlog()));
    const queued = all.reduce((s, b) => s + b.queued, 0);
    const sent = all.reduce((s, b) => s + b.sent, 0);
    if (sent >= queued) return;
    if (Date.now() > deadline) throw new Error(`dispatchers not drained after ${timeoutMs} ms: ${sent}/${queued} sent`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
