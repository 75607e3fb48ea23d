import type pg from 'pg';
import type * as port from '../../core/ports/webhooks.ts';
import * as ev from '../event-rows.ts';

const PUT = `INSERT INTO webhook_endpoints (service_id, client_id, url, secrets, enabled, created_at, updated_at)
  VALUES ($1, $2, $3, $4, TRUE, $5, $5)
  ON CONFLICT (service_id) DO UPDATE SET url = excluded.url, secrets = excluded.secrets, enabled = TRUE,
    updated_at = excluded.updated_at, failing_since = NULL, disabled_at = NULL
  WHERE webhook_endpoints.client_id = excluded.client_id`;

// SKIP LOCKED: replicas claiming at once take different events; the lease keeps a claimed one from
// being claimed again until it lapses (re-checked on the row's latest version under READ COMMITTED).
const CLAIM = `WITH due AS (
    SELECT e.seq FROM events e JOIN webhook_endpoints w ON w.service_id = e.service_id
    WHERE e.status = 'pending' AND e.next_attempt_at <= $1 AND w.enabled
      AND NOT EXISTS (SELECT 1 FROM events o WHERE o.verification_id = e.verification_id
        AND o.status = 'pending' AND o.seq < e.seq)
    ORDER BY e.next_attempt_at LIMIT $3 FOR UPDATE OF e SKIP LOCKED)
  UPDATE events SET attempts = attempts + 1, next_attempt_at = $2 FROM due, webhook_endpoints w
  WHERE events.seq = due.seq AND w.service_id = events.service_id
  RETURNING ${ev.EVENT_COLUMNS.split(', ')
    .map((c) => `events.${c}`)
    .join(', ')}, w.url, w.secrets`;

// Guarded by the attempt: the outcome of a lapsed lease (the event claimed again) changes nothing.
const DELIVERED = `UPDATE events SET status = 'delivered', delivered_at = $3, last_error = NULL
  WHERE seq = $1 AND attempts = $2 AND status = 'pending'`;

const FAILED = `UPDATE events SET status = CASE WHEN $3::bigint IS NULL THEN 'dead' ELSE 'pending' END,
    next_attempt_at = COALESCE($3::bigint, next_attempt_at), last_error = $4
  WHERE seq = $1 AND attempts = $2 AND status = 'pending'`;

const SUCCEEDED = 'UPDATE webhook_endpoints SET last_success_at = $2, failing_since = NULL WHERE service_id = $1';

// Failing since its first failure; disabled once that is longer ago than allowed ($4).
const FAILING = `UPDATE webhook_endpoints SET last_error = $2, last_error_at = $3,
    failing_since = COALESCE(failing_since, $3),
    enabled = CASE WHEN COALESCE(failing_since, $3) <= $4 THEN FALSE ELSE enabled END,
    disabled_at = CASE WHEN enabled AND COALESCE(failing_since, $3) <= $4 THEN $3 ELSE disabled_at END
  WHERE service_id = $1`;

const RECORD = `INSERT INTO events (id, client_id, service_id, verification_id, type, payload, created_at, status,
    attempts, next_attempt_at)
  SELECT $1, $2, $3, $4, $5, $6, $7, 'pending', 0, $7 FROM webhook_endpoints WHERE service_id = $3 AND client_id = $2`;

const ANNOUNCE_EXPIRED = `INSERT INTO events (id, client_id, service_id, verification_id, type, payload, created_at,
    status, attempts, next_attempt_at)
  SELECT 'evt_' || replace(gen_random_uuid()::text, '-', ''), v.client_id, v.service_id, v.id, 'verification.expired',
    json_build_object('verification', v.id, 'to', v.masked_to, 'channel', v.channel, 'checks', v.attempts,
      'maxChecks', v.max_attempts, 'createdAt', v.created_at, 'expiresAt', v.expires_at, 'at', v.expires_at)::text,
    v.expires_at, 'pending', 0, $2
  FROM verifications v JOIN webhook_endpoints w ON w.service_id = v.service_id
  WHERE v.expires_at > $1 AND v.expires_at <= $2 AND v.status = 'pending'`;

const REPLAY = `UPDATE events SET status = 'pending', next_attempt_at = $4, last_error = NULL
  WHERE created_at >= $1 AND status IN ('delivered', 'dead')
    AND ($2::text IS NULL OR client_id = $2) AND ($3::text IS NULL OR service_id = $3)`;

type ClaimRow = ev.EventRow & { url: string; secrets: Buffer };

/** The webhook endpoints and the event outbox on PostgreSQL: one statement each but the expiry sweep. */
export const webhooks = (pool: pg.Pool) => ({
  async putEndpoint(e: { serviceId: string; clientId: string; url: string; secrets: Buffer; now: number }) {
    await pool.query(PUT, [e.serviceId, e.clientId, e.url, e.secrets, e.now]);
  },
  async getEndpoint(clientId: string, serviceId: string): Promise<port.EndpointStatus | null> {
    const r = await pool.query<ev.EndpointRow>(`${ev.ENDPOINT_STATUS} WHERE w.client_id = $1 AND w.service_id = $2`, [
      clientId,
      serviceId,
    ]);
    return r.rows[0] ? ev.toEndpoint(r.rows[0]) : null;
  },
  async listEndpoints(clientId?: string): Promise<port.EndpointStatus[]> {
    const r = await pool.query<ev.EndpointRow>(
      `${ev.ENDPOINT_STATUS} WHERE ($1::text IS NULL OR w.client_id = $1) ORDER BY w.client_id, w.service_id`,
      [clientId ?? null],
    );
    return r.rows.map(ev.toEndpoint);
  },
  async deleteEndpoint(clientId: string, serviceId: string): Promise<boolean> {
    const r = await pool.query('DELETE FROM webhook_endpoints WHERE client_id = $1 AND service_id = $2', [
      clientId,
      serviceId,
    ]);
    return (r.rowCount ?? 0) > 0;
  },
  async enableEndpoint(clientId: string, serviceId: string, now: number): Promise<boolean> {
    const r = await pool.query(
      `UPDATE webhook_endpoints SET enabled = TRUE, failing_since = NULL, disabled_at = NULL, updated_at = $3
        WHERE client_id = $1 AND service_id = $2`,
      [clientId, serviceId, now],
    );
    return (r.rowCount ?? 0) > 0;
  },
  async claimEvents(now: number, leaseMs: number, limit: number): Promise<port.ClaimedEvent[]> {
    const r = await pool.query<ClaimRow>(CLAIM, [now, now + leaseMs, limit]);
    return r.rows.map((row) => ev.toClaimed(row, row)).sort((a, b) => a.seq - b.seq);
  },
  /** Each event's row (side by side), then each endpoint's once. */
  async completeEvents(done: readonly { e: port.ClaimedEvent; outcome: port.EventOutcome }[], disableAfterMs: number) {
    const changed = await Promise.all(
      done.map(async ({ e, outcome: o }) => {
        const r = o.ok
          ? await pool.query(DELIVERED, [e.seq, e.attempt, o.at])
          : await pool.query(FAILED, [e.seq, e.attempt, o.retryAt, o.error]);
        return (r.rowCount ?? 0) > 0;
      }),
    );
    const { ok, failed } = ev.endpointOutcomes(done, changed);
    for (const [serviceId, at] of ok) await pool.query(SUCCEEDED, [serviceId, at]);
    for (const [serviceId, f] of failed) await pool.query(FAILING, [serviceId, f.error, f.at, f.at - disableAfterMs]);
  },
  async recordEvent(e: port.NewEvent): Promise<boolean> {
    const r = await pool.query(RECORD, [e.id, e.clientId, e.serviceId, e.verificationId, e.type, e.payload, e.at]);
    return (r.rowCount ?? 0) > 0;
  },
  /** One transaction: the cursor's row lock serialises replicas, so each expiry is announced once. */
  async announceExpired(now: number): Promise<number> {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const from = Number((await c.query("SELECT at FROM event_cursors WHERE name = 'expiry' FOR UPDATE")).rows[0].at);
      let n = 0;
      if (now > from) {
        n = (await c.query(ANNOUNCE_EXPIRED, [from, now])).rowCount ?? 0;
        await c.query("UPDATE event_cursors SET at = $1 WHERE name = 'expiry'", [now]);
      }
      await c.query('COMMIT');
      return n;
    } catch (err) {
      await c.query('ROLLBACK');
      throw err;
    } finally {
      c.release();
    }
  },
  async replayEvents(f: port.ReplayFilter, now: number): Promise<number> {
    const r = await pool.query(REPLAY, [f.since, f.clientId ?? null, f.serviceId ?? null, now]);
    return r.rowCount ?? 0;
  },
});
