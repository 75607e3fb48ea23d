import type Database from 'better-sqlite3';
import type * as port from '../../core/ports/webhooks.ts';
import * as ev from '../event-rows.ts';

// verification.expired for what expired pending in (from, to], of services with an endpoint.
const ANNOUNCE_EXPIRED = `INSERT INTO events (id, client_id, service_id, verification_id, type, payload, created_at,
    status, attempts, next_attempt_at)
  SELECT 'evt_' || lower(hex(randomblob(16))), v.client_id, v.service_id, v.id, 'verification.expired',
    json_object('verification', v.id, 'to', v.masked_to, 'channel', v.channel, 'checks', v.attempts,
      'maxChecks', v.max_attempts, 'createdAt', v.created_at, 'expiresAt', v.expires_at, 'at', v.expires_at),
    v.expires_at, 'pending', 0, @to
  FROM verifications v JOIN webhook_endpoints w ON w.service_id = v.service_id
  WHERE v.expires_at > @from AND v.expires_at <= @to AND v.status = 'pending'`;

// Failing since its first failure; disabled once that is longer ago than allowed.
const ENDPOINT_FAILING = `UPDATE webhook_endpoints SET last_error = @error, last_error_at = @at,
    failing_since = COALESCE(failing_since, @at),
    enabled = CASE WHEN COALESCE(failing_since, @at) <= @disableBefore THEN 0 ELSE enabled END,
    disabled_at = CASE WHEN enabled AND COALESCE(failing_since, @at) <= @disableBefore THEN @at ELSE disabled_at END
  WHERE service_id = @serviceId`;

const REPLAY = `UPDATE events SET status = 'pending', next_attempt_at = @now, last_error = NULL
  WHERE created_at >= @since AND status IN ('delivered', 'dead')
    AND (@client IS NULL OR client_id = @client) AND (@service IS NULL OR service_id = @service)`;

function statements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    put: p(`INSERT INTO webhook_endpoints (service_id, client_id, url, secrets, enabled, created_at, updated_at)
      VALUES (@serviceId, @clientId, @url, @secrets, 1, @now, @now)
      ON CONFLICT (service_id) DO UPDATE SET url = excluded.url, secrets = excluded.secrets, enabled = 1,
        updated_at = excluded.updated_at, failing_since = NULL, disabled_at = NULL
      WHERE webhook_endpoints.client_id = excluded.client_id`),
    remove: p('DELETE FROM webhook_endpoints WHERE client_id = ? AND service_id = ?'),
    enable: p(`UPDATE webhook_endpoints SET enabled = 1, failing_since = NULL, disabled_at = NULL, updated_at = ?
      WHERE client_id = ? AND service_id = ?`),
    due: p(`SELECT e.seq FROM events e JOIN webhook_endpoints w ON w.service_id = e.service_id
      WHERE e.status = 'pending' AND e.next_attempt_at <= @now AND w.enabled
        AND NOT EXISTS (SELECT 1 FROM events o WHERE o.verification_id = e.verification_id
          AND o.status = 'pending' AND o.seq < e.seq)
      ORDER BY e.next_attempt_at LIMIT @limit`),
    claim: p(`UPDATE events SET attempts = attempts + 1, next_attempt_at = @lease
      WHERE seq IN (SELECT value FROM json_each(@seqs)) RETURNING ${ev.EVENT_COLUMNS}`),
    endpointOf: p('SELECT url, secrets FROM webhook_endpoints WHERE service_id = ?'),
    delivered: p(`UPDATE events SET status = 'delivered', delivered_at = @at, last_error = NULL
      WHERE seq = @seq AND attempts = @attempt AND status = 'pending'`),
    failed: p(`UPDATE events SET status = CASE WHEN @retryAt IS NULL THEN 'dead' ELSE 'pending' END,
      next_attempt_at = COALESCE(@retryAt, next_attempt_at), last_error = @error
      WHERE seq = @seq AND attempts = @attempt AND status = 'pending'`),
    succeeded: p(`UPDATE webhook_endpoints SET last_success_at = @at, failing_since = NULL
      WHERE service_id = @serviceId`),
    failing: p(ENDPOINT_FAILING),
    record: p(`INSERT INTO events (id, client_id, service_id, verification_id, type, payload, created_at, status,
      attempts, next_attempt_at)
      SELECT @id, @clientId, @serviceId, @verificationId, @type, @payload, @at, 'pending', 0, @at
      FROM webhook_endpoints WHERE service_id = @serviceId AND client_id = @clientId`),
    cursor: p("SELECT at FROM event_cursors WHERE name = 'expiry'").pluck(),
    moveCursor: p("UPDATE event_cursors SET at = ? WHERE name = 'expiry'"),
    expired: p(ANNOUNCE_EXPIRED),
    replay: p(REPLAY),
  };
}

/** The webhook writes, on the one write connection (see writes.ts). */
export function webhookWrites(db: Database.Database) {
  const q = statements(db);
  return {
    putEndpoint(e: { serviceId: string; clientId: string; url: string; secrets: Buffer; now: number }): void {
      q.put.run(e);
    },
    deleteEndpoint: (clientId: string, serviceId: string): boolean => q.remove.run(clientId, serviceId).changes > 0,
    enableEndpoint: (clientId: string, serviceId: string, now: number): boolean =>
      q.enable.run(now, clientId, serviceId).changes > 0,
    claimEvents(now: number, leaseMs: number, limit: number): port.ClaimedEvent[] {
      const seqs = (q.due.all({ now, limit }) as { seq: number }[]).map((r) => r.seq);
      if (seqs.length === 0) return [];
      const claimed = q.claim.all({ seqs: JSON.stringify(seqs), lease: now + leaseMs }) as ev.EventRow[];
      const endpoints = new Map<string, { url: string; secrets: Buffer }>();
      return claimed
        .sort((a, b) => Number(a.seq) - Number(b.seq))
        .map((r) => {
          let w = endpoints.get(r.service_id);
          if (!w) {
            w = q.endpointOf.get(r.service_id) as { url: string; secrets: Buffer };
            endpoints.set(r.service_id, w);
          }
          return ev.toClaimed(r, w);
        });
    },
    completeEvents(
      done: readonly { e: port.ClaimedEvent; outcome: port.EventOutcome }[],
      disableAfterMs: number,
    ): void {
      const changed = done.map(({ e, outcome: o }) => {
        const key = { seq: e.seq, attempt: e.attempt };
        const r = o.ok
          ? q.delivered.run({ ...key, at: o.at })
          : q.failed.run({ ...key, retryAt: o.retryAt, error: o.error });
        return r.changes > 0;
      });
      const { ok, failed } = ev.endpointOutcomes(done, changed);
      for (const [serviceId, at] of ok) q.succeeded.run({ at, serviceId });
      for (const [serviceId, f] of failed)
        q.failing.run({ serviceId, at: f.at, error: f.error, disableBefore: f.at - disableAfterMs });
    },
    recordEvent: (e: port.NewEvent): boolean => q.record.run(e).changes > 0,
    announceExpired(now: number): number {
      const from = q.cursor.get() as number;
      if (now <= from) return 0;
      const n = q.expired.run({ from, to: now }).changes;
      q.moveCursor.run(now);
      return n;
    },
    replayEvents: (f: port.ReplayFilter, now: number): number =>
      q.replay.run({ since: f.since, client: f.clientId ?? null, service: f.serviceId ?? null, now }).changes,
  };
}

/** The webhook reads, on a read connection. */
export function webhookReads(db: Database.Database) {
  const one = db.prepare(`${ev.ENDPOINT_STATUS} WHERE w.client_id = ? AND w.service_id = ?`);
  const all = db.prepare(`${ev.ENDPOINT_STATUS} WHERE (@client IS NULL OR w.client_id = @client)
    ORDER BY w.client_id, w.service_id`);
  return {
    getEndpoint(clientId: string, serviceId: string): port.EndpointStatus | null {
      const r = one.get(clientId, serviceId) as ev.EndpointRow | undefined;
      return r ? ev.toEndpoint(r) : null;
    },
    listEndpoints: (clientId?: string): port.EndpointStatus[] =>
      (all.all({ client: clientId ?? null }) as ev.EndpointRow[]).map(ev.toEndpoint),
  };
}
