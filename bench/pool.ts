/**
 * The setup the measured phases need, not measured: waiting until the dispatchers have delivered
 * what was queued, and creating verifications whose codes are then read back from the store (the
 * development outbox's text), for validate-code to present.
 */
import { cfg } from './config.ts';
import { select, type StoreRef } from './db.ts';
import { nextPhone } from './phones.ts';

export const SEND = '/one-time-password-sms/v1/send-code';
export const VALIDATE = '/one-time-password-sms/v1/validate-code';
/** The native API's start and check (/v1). */
export const START = '/v1/verifications';
export const CHECK = '/v1/verifications/check';

/** How a pool's verifications are started, and where their code is in the delivered text. */
export interface Starter {
  readonly path: string;
  readonly body: (phone: string) => unknown;
  readonly id: (answer: Record<string, unknown>) => string;
  readonly code: (text: string) => string;
}

export const CAMARA_START: Starter = {
  path: SEND,
  body: (phoneNumber) => ({ phoneNumber, message: MESSAGE }),
  id: (a) => String(a.authenticationId),
  code: (text) => text.split(' ')[0]!,
};

/** The default service's text ends with the code. */
export const NATIVE_START: Starter = {
  path: START,
  body: (to) => ({ to }),
  id: (a) => String(a.id),
  code: (text) => text.slice(text.lastIndexOf(' ') + 1),
};
/** The CAMARA example text; the outbox text then starts with the code. */
export const MESSAGE = '{{code}} is your short code to authenticate with Cool App via SMS';

export async function call<T>(base: string, key: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(base + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Sums one Prometheus counter over the series whose labels include all of `labels`. */
function counter(text: string, name: string, labels: readonly string[]): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    if (labels.every((l) => m[1]!.includes(l))) sum += Number(m[2]);
  }
  return sum;
}

/**
 * Waits until the dispatchers have handed every queued message to a gateway. Replicas share one
 * outbox on PostgreSQL, so one may deliver what another queued: only the sums compare. Without
 * `giveUpMs` a backlog left after 120 s fails the target; with it, false says it was not drained.
 */
export async function drained(urls: readonly string[], giveUpMs?: number): Promise<boolean> {
  for (const deadline = Date.now() + (giveUpMs ?? 120_000); ; ) {
    const texts = await Promise.all(urls.map(async (u) => (await fetch(`${u}/metrics`)).text()));
    let queued = 0;
    let sent = 0;
    for (const t of texts) {
      queued += counter(t, 'otpd_verifications_total', ['operation="send"', 'outcome="queued"']);
      sent += counter(t, 'otpd_dispatch_attempts_total', ['outcome="sent"']);
    }
    if (sent >= queued) return true;
    if (Date.now() > deadline) {
      if (giveUpMs !== undefined) return false;
      throw new Error(`dispatchers not drained after 120 s: ${sent}/${queued} sent`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Verification {
  readonly id: string;
  readonly code: string;
}

/**
 * Creates n verifications, cfg.connections sends in flight over the replicas in turn, waits until
 * they are delivered to the development outbox and reads their codes there.
 */
export async function fillPool(
  urls: readonly string[],
  key: string,
  store: StoreRef,
  n: number,
  starter: Starter = CAMARA_START,
): Promise<Verification[]> {
  const since = Date.now();
  const ids: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const answer = await call<Record<string, unknown>>(
        urls[i % urls.length]!,
        key,
        starter.path,
        starter.body(nextPhone()),
      );
      ids.push(starter.id(answer));
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, cfg.connections) }, worker));
  await drained(urls);
  const rows = await select(
    store,
    `SELECT m.verification_id AS id, d.text AS text FROM messages m JOIN dev_outbox d ON d.message_seq = m.seq
      WHERE m.created_at >= ?`,
    [since - 1],
  );
  const codes = new Map(rows.map((r) => [String(r.id), starter.code(String(r.text))]));
  return ids.map((id) => {
    const code = codes.get(id);
    if (!code) throw new Error(`no code in the development outbox for verification ${id}`);
    return { id, code };
  });
}
