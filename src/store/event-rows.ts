import type * as port from '../core/ports/webhooks.ts';

// The webhook tables' rows as both drivers return them (PostgreSQL's BIGINT arrives as a string).

export const EVENT_COLUMNS = 'seq, id, client_id, service_id, verification_id, type, payload, created_at, attempts';

export interface EventRow {
  seq: number | string;
  id: string;
  client_id: string;
  service_id: string;
  verification_id: string | null;
  type: port.EventType;
  payload: string;
  created_at: number | string;
  attempts: number;
}

export const toClaimed = (r: EventRow, w: { url: string; secrets: Buffer }): port.ClaimedEvent => ({
  seq: Number(r.seq),
  id: r.id,
  clientId: r.client_id,
  serviceId: r.service_id,
  verificationId: r.verification_id,
  type: r.type,
  payload: r.payload,
  createdAt: Number(r.created_at),
  attempt: r.attempts,
  url: w.url,
  secrets: w.secrets,
});

/** An endpoint with its backlog; the caller appends its WHERE. */
export const ENDPOINT_STATUS = `SELECT w.service_id, w.client_id, w.url, w.secrets, w.enabled, w.created_at,
  w.updated_at, w.last_success_at, w.last_error, w.last_error_at, w.failing_since, w.disabled_at,
  (SELECT count(*) FROM events e WHERE e.service_id = w.service_id AND e.status = 'pending') AS backlog
  FROM webhook_endpoints w`;

export interface EndpointRow {
  service_id: string;
  client_id: string;
  url: string;
  secrets: Buffer;
  enabled: number | boolean;
  created_at: number | string;
  updated_at: number | string;
  last_success_at: number | string | null;
  last_error: string | null;
  last_error_at: number | string | null;
  failing_since: number | string | null;
  disabled_at: number | string | null;
  backlog: number | string;
}

const time = (v: number | string | null): number | null => (v === null ? null : Number(v));

export const toEndpoint = (r: EndpointRow): port.EndpointStatus => ({
  serviceId: r.service_id,
  clientId: r.client_id,
  url: r.url,
  secrets: r.secrets,
  enabled: Boolean(r.enabled),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  lastSuccessAt: time(r.last_success_at),
  lastError: r.last_error,
  lastErrorAt: time(r.last_error_at),
  failingSince: time(r.failing_since),
  disabledAt: time(r.disabled_at),
  backlog: Number(r.backlog),
});

/**
 * What a batch's outcomes leave on each endpoint, from the events whose row the outcome changed (a
 * lapsed lease's outcome changes none): its latest success, then its latest failure if it had one
 * (a failure in the batch keeps the endpoint failing, whatever order the posts finished in).
 */
export function endpointOutcomes(
  done: readonly { e: port.ClaimedEvent; outcome: port.EventOutcome }[],
  changed: readonly boolean[],
): { ok: Map<string, number>; failed: Map<string, { at: number; error: string }> } {
  const ok = new Map<string, number>();
  const failed = new Map<string, { at: number; error: string }>();
  done.forEach(({ e, outcome: o }, i) => {
    if (!changed[i]) return;
    if (o.ok) ok.set(e.serviceId, Math.max(o.at, ok.get(e.serviceId) ?? 0));
    else if (o.at >= (failed.get(e.serviceId)?.at ?? 0)) failed.set(e.serviceId, { at: o.at, error: o.error });
  });
  return { ok, failed };
}
