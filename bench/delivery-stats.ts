/**
 * What became of the messages a send-code window accepted, read from the store after the phase:
 * how long each waited from acceptance (messages.created_at) to its first hand-over to a gateway
 * (the first message_attempts.started_at), whether it reached the gateway by the window's end + 2 s
 * (the development outbox's created_at, or the first `sent` attempt's finished_at), and how many
 * were never sent.
 */
import { select, type StoreRef } from './db.ts';

/** A send counts as delivered if its message was delivered no later than this after the window. */
export const DELIVERY_GRACE_MS = 2000;

/** A percentile of the dispatch wait; `censored`: it falls on a message not handed over yet, so it is at least `ms`. */
export interface Wait {
  readonly ms: number;
  readonly censored: boolean;
}

export interface DispatchStats {
  /** Messages created in the window. */
  readonly accepted: number;
  readonly wait: { readonly p50: Wait; readonly p99: Wait; readonly max: Wait };
  /** Of `accepted`: delivered to the gateway no later than the window's end + DELIVERY_GRACE_MS. */
  readonly delivered: number;
  /** `delivered` over the window's length. */
  readonly deliveredRps: number;
  /** Never accepted by a gateway when the store was read, in all; and those in a final status. */
  readonly notSent: number;
  readonly expired: number;
  readonly abandoned: number;
  readonly failed: number;
}

const SQL = `SELECT m.created_at AS created, m.status AS status,
    (SELECT min(a.started_at) FROM message_attempts a WHERE a.message_seq = m.seq) AS first_try,
    (SELECT min(a.finished_at) FROM message_attempts a WHERE a.message_seq = m.seq AND a.outcome = 'sent') AS sent_at,
    (SELECT d.created_at FROM dev_outbox d WHERE d.message_seq = m.seq) AS outbox_at
  FROM messages m WHERE m.created_at >= ? AND m.created_at < ?`;

interface Row {
  readonly created: number;
  readonly status: string;
  readonly first_try: number | null;
  readonly sent_at: number | null;
  readonly outbox_at: number | null;
}

/** The window is in epoch ms, the clock otpd stamps its rows with. */
export async function dispatchStats(s: StoreRef, fromMs: number, toMs: number): Promise<DispatchStats> {
  const now = Date.now();
  const rows = (await select(s, SQL, [fromMs, toMs])) as unknown as Row[];
  // A message never handed over has waited at least until now: kept as a lower bound, not left out,
  // so a dispatcher that falls behind cannot look fast by what it never sent.
  const waits = rows
    .map((r) => ({ ms: (r.first_try ?? now) - r.created, censored: r.first_try === null }))
    .sort((a, b) => a.ms - b.ms);
  // A lower bound can only grow: a percentile is exact only if no lower bound sorts at or below it.
  const firstCensored = waits.findIndex((w) => w.censored);
  const at = (i: number): Wait =>
    i < 0 || i >= waits.length
      ? { ms: NaN, censored: false }
      : { ms: waits[i]!.ms, censored: firstCensored >= 0 && firstCensored <= i };
  const pct = (p: number): Wait => at(Math.max(0, Math.ceil(p * waits.length) - 1));
  const deadline = toMs + DELIVERY_GRACE_MS;
  let delivered = 0;
  const count: Record<string, number> = {};
  let notSent = 0;
  for (const r of rows) {
    const done = r.outbox_at ?? r.sent_at;
    if (done !== null && done <= deadline) delivered++;
    if (done === null) {
      notSent++;
      count[r.status] = (count[r.status] ?? 0) + 1;
    }
  }
  return {
    accepted: rows.length,
    wait: { p50: pct(0.5), p99: pct(0.99), max: at(waits.length - 1) },
    delivered,
    deliveredRps: delivered / ((toMs - fromMs) / 1000),
    notSent,
    expired: count.expired ?? 0,
    abandoned: count.abandoned ?? 0,
    failed: count.failed ?? 0,
  };
}
