import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { OutboxStore } from '../core/ports/outbox.ts';
import type { VerificationLookup } from '../core/ports/store.ts';
import { numberTimeline } from '../core/timeline.ts';
import { maskPhone } from '../core/codes.ts';
import { tenantOf } from './auth.ts';
import type { Guard } from './guard.ts';

export interface VerificationAdminDeps {
  readonly store: Pick<VerificationLookup, 'findVerificationsByNumber' | 'listVerificationMessages'> &
    Pick<OutboxStore, 'listAttempts'>;
  /** The keyed index of a number, as the verifications store it. */
  readonly phoneIndex: (e164: string) => Buffer;
  readonly guard: Guard;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * GET /admin/verifications?phone=…: one number's verifications with their sends and delivery
 * attempts (the console's search), found through the keyed phone index. The number searched is
 * answered in full; it is logged masked.
 */
export function registerVerificationAdminRoutes(app: FastifyInstance, d: VerificationAdminDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/admin/verifications',
    {
      onRequest: d.guard('admin'),
      config: { json: true },
      schema: {
        tags: ['Administration'],
        summary: "A number's verifications, newest first, each with its sends and their delivery attempts",
        description: "Needs the admin scope. An operator key finds every tenant's; a client key its own.",
        security: [{ bearer: ['admin'] }],
        querystring: Type.Object(
          { phone: Type.String({ pattern: '^\\+[1-9][0-9]{4,14}$', description: 'The full number, E.164' }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const phone = req.query.phone;
      req.logPhone = maskPhone(phone);
      const found = await numberTimeline(d.store, d.phoneIndex(phone), tenantOf(req.principal));
      return {
        phone,
        verifications: found.map(({ verification: v, sends }) => ({
          id: v.id,
          clientId: v.clientId,
          service: v.serviceId,
          channel: v.channel,
          status: v.status,
          checks: { used: v.attempts, allowed: v.maxAttempts },
          createdAt: iso(v.createdAt),
          expiresAt: iso(v.expiresAt),
          finishedAt: iso(v.finishedAt),
          sends: sends.map(({ message: m, attempts }) => ({
            status: m.status,
            gateway: m.gateway,
            createdAt: iso(m.createdAt),
            lastError: m.lastError,
            attempts: attempts.map((a) => ({
              attempt: a.attempt,
              gateway: a.gateway,
              outcome: a.outcome,
              error: a.error,
              startedAt: iso(a.startedAt),
              latencyMs: a.finishedAt - a.startedAt,
            })),
          })),
        })),
      };
    },
  );
}
