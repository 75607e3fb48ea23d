import type { FastifyRequest } from 'fastify';
import type { Services } from '../../core/services.ts';
import type { Verifications } from '../../core/verifications.ts';
import type { Metrics } from '../../metrics.ts';
import type { ClientIp } from '../client-ip.ts';
import type { Guard } from '../guard.ts';
import { TwilioError } from './errors.ts';

/** What the Twilio-compatible routes share. */
export interface TwilioDeps {
  readonly services: Services;
  readonly verifications: Verifications;
  readonly guard: Guard;
  readonly metrics: Metrics;
  readonly clientIp: (req: FastifyRequest) => ClientIp;
  /** The server's code length, shown for services that do not set their own. */
  readonly codeLength: number;
}

export const TAG = 'Twilio Verify v2 (compatible)';

/** The URL the client reached this server by, for the `url` members and paging links. */
export const baseUrl = (req: FastifyRequest) => `${req.protocol}://${req.host}`;

export const client = (req: FastifyRequest) => req.principal!.clientId;

/** Refuses a Twilio parameter otpd does not implement, by name, instead of ignoring it. */
export function refuseUnsupported(body: Record<string, unknown>, names: readonly string[], allowFalse = true): void {
  for (const n of names) {
    const v = body[n];
    if (v === undefined || (allowFalse && v === 'false')) continue;
    throw new TwilioError(60200, 400, `Invalid parameter: otpd does not support ${n}`);
  }
}
