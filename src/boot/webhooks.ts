import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import type { KeyRing } from '../core/keyring.ts';
import type { StatsStore } from '../core/ports/stats.ts';
import type { WebhookStore } from '../core/ports/webhooks.ts';
import { openSecrets } from '../core/webhooks.ts';
import { randomHex } from '../core/random.ts';
import type { Refusal } from '../core/verification.ts';
import { EventDispatcher } from '../jobs/event-dispatcher.ts';
import { webhookPoster } from '../webhooks/poster.ts';

const DAY = 86_400_000;
/** Events claimed per run: enough that the claim's and the outcomes' commits are few per event. */
const BATCH = 200;
const POSTER_SOCKETS = 64;

/** Part of the composition root: the delivery of webhook events. */
export function buildEventDispatcher(
  c: Config,
  d: { store: WebhookStore; keys: KeyRing; clock: Clock; log: Logger; version: string },
): EventDispatcher {
  const w = c.webhooks;
  return new EventDispatcher({
    store: d.store,
    clock: d.clock,
    poster: webhookPoster({
      timeoutMs: w.timeoutMs,
      maxResponseBytes: 64 * 1024,
      allowPrivate: w.allowPrivate,
      userAgent: `otpd/${d.version} (webhooks)`,
      maxSockets: POSTER_SOCKETS,
    }),
    secrets: openedSecrets(d.keys),
    options: {
      intervalMs: w.intervalMs,
      // A batch's posts share POSTER_SOCKETS connections: the lease outlasts the slowest turn of it.
      leaseMs: w.timeoutMs * (1 + Math.ceil(BATCH / POSTER_SOCKETS)),
      batch: BATCH,
      baseDelayMs: w.retryBaseSeconds * 1000,
      maxDelayMs: w.retryMaxSeconds * 1000,
      giveUpAfterMs: DAY,
      disableAfterMs: DAY,
      expiryEveryMs: Math.max(1000, w.intervalMs),
    },
    events: {
      delivered: (e) => d.log.debug({ event: e.id, type: e.type, service: e.serviceId }, 'webhook delivered'),
      failed: (e, error, givenUp) =>
        d.log.warn(
          { event: e.id, type: e.type, service: e.serviceId, attempt: e.attempt, error, givenUp },
          'webhook failed',
        ),
      error: (err) => d.log.error({ err }, 'webhook delivery failed'),
    },
  });
}

/** Each endpoint's secrets opened once per sealed value (a rotation seals a new one). */
function openedSecrets(keys: KeyRing): (serviceId: string, sealed: Buffer) => string[] {
  const opened = new Map<string, { sealed: Buffer; secrets: string[] }>();
  return (serviceId, sealed) => {
    const hit = opened.get(serviceId);
    if (hit?.sealed.equals(sealed)) return hit.secrets;
    if (opened.size > 10_000) opened.clear();
    const secrets = openSecrets(keys, serviceId, sealed);
    opened.set(serviceId, { sealed, secrets });
    return secrets;
  };
}

/**
 * What a refused send leaves behind: its `fraud.refused` event (for a service with a webhook) and
 * its count in the console's series. Best effort, after the refusal: it changes no state to ride on.
 */
export function refusalEvents(store: WebhookStore & StatsStore, log: Logger): (r: Refusal) => void {
  return (r) => {
    const payload = JSON.stringify({ to: r.maskedTo, channel: r.channel, defence: r.defence, at: r.at });
    const e = { id: `evt_${randomHex(16)}`, clientId: r.clientId, serviceId: r.serviceId, verificationId: null };
    store
      .recordEvent({ ...e, type: 'fraud.refused', payload, at: r.at })
      .catch((err: unknown) => log.error({ err }, 'fraud.refused event not recorded'));
    store.countRefusal(r.clientId, r.defence, r.at).catch((err: unknown) => log.error({ err }, 'refusal not counted'));
  };
}
