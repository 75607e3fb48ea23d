import type { SlotLeases } from '../core/ports/leases.ts';
import type { RateLimiter } from '../core/ports/rate-limiter.ts';
import type { Clock } from '../core/clock.ts';
import type { Gateway } from '../core/ports/gateway.ts';
import type { DevInbox } from '../core/ports/store.ts';
import type { GatewayConfig, HttpGatewayConfig } from '../config/gateways.ts';
import { DevOutboxGateway } from './dev-outbox.ts';
import { HttpGateway } from './http/http-gateway.ts';
import { SmtpGateway } from './smtp/smtp-gateway.ts';
import { SmppGateway } from './smpp/smpp-gateway.ts';
import { infobip } from './http/presets/infobip.ts';
import { msg91 } from './http/presets/msg91.ts';
import { twilio } from './http/presets/twilio.ts';
import { vonage } from './http/presets/vonage.ts';
import { webhook } from './http/presets/webhook.ts';

export interface GatewayDeps {
  readonly inbox: DevInbox;
  readonly clock: Clock;
  /** Where providers post delivery-status callbacks: `${publicUrl}/callbacks/${id}`. */
  readonly publicUrl: string | undefined;
  readonly log?: { warn(o: object, msg: string): void; info(o: object, msg: string): void };
  /** Where an SMPP account's `accountPerSecond` is spent: shared by every replica on PostgreSQL. */
  readonly limiter?: Pick<RateLimiter, 'takeMs'>;
  /** Where an SMPP account's `accountBinds` are held: shared by every replica on PostgreSQL. */
  readonly leases?: SlotLeases;
}

/** The one place a gateway configuration becomes a gateway adapter. */
export function createGateway(c: GatewayConfig, d: GatewayDeps): Gateway {
  switch (c.type) {
    case 'dev-outbox':
      return new DevOutboxGateway(d.inbox, d.clock, c.id);
    case 'http':
      return httpGateway(c, d);
    case 'smtp':
      return new SmtpGateway(c);
    case 'smpp':
      return new SmppGateway(c, {
        clock: d.clock,
        ...(d.log ? { log: d.log } : {}),
        ...(d.limiter ? { account: { limiter: d.limiter } } : {}),
        ...(d.leases ? { leases: d.leases } : {}),
      });
  }
}

/** The callback URL otpd gives a provider; unsigned providers get the secret token in it. */
export function callbackUrl(c: HttpGatewayConfig, publicUrl: string | undefined): string | undefined {
  if (!publicUrl) return undefined;
  const base = `${publicUrl.replace(/\/$/, '')}/callbacks/${c.id}`;
  return c.preset === 'infobip' || c.preset === 'msg91' ? `${base}?token=${encodeURIComponent(c.callbackToken)}` : base;
}

function httpGateway(c: HttpGatewayConfig, d: GatewayDeps): Gateway {
  const deps = { clock: d.clock, callbackUrl: callbackUrl(c, d.publicUrl) };
  switch (c.preset) {
    case 'twilio':
      return new HttpGateway(c.id, twilio, c, deps);
    case 'vonage':
      return new HttpGateway(c.id, vonage, c, deps);
    case 'infobip':
      return new HttpGateway(c.id, infobip, c, deps);
    case 'msg91':
      return new HttpGateway(c.id, msg91, c, deps);
    case 'webhook':
      return new HttpGateway(c.id, webhook, c, deps);
  }
}
