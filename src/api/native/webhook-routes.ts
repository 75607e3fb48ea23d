import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Webhooks } from '../../core/webhooks.ts';
import { presentWebhook } from './present.ts';
import type { Guard } from '../guard.ts';
import * as S from './schemas.ts';

export interface WebhookRouteDeps {
  readonly webhooks: Webhooks;
  readonly guard: Guard;
}

const TAG = 'otpd API';
const SCOPE = 'services' as const;
const security = [{ bearer: [SCOPE] }];
const Time = Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date-time' });

const WebhookOut = Type.Object(
  {
    service: Type.String(),
    url: Type.String(),
    enabled: Type.Boolean({ description: 'false once it has failed for a day; enable it again after fixing it' }),
    lastSuccessAt: Time,
    lastError: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
    lastErrorAt: Time,
    failingSince: Time,
    disabledAt: Time,
    backlog: Type.Integer({ description: 'Events waiting for delivery' }),
    secrets: Type.Integer({ description: 'Secrets that sign each event: 2 during a rotation' }),
    secret: Type.Optional(
      Type.String({
        description: 'The new signing secret (Standard Webhooks `whsec_…`): shown only on creation and rotation',
      }),
    ),
  },
  { $id: 'NativeWebhook' },
);
const PutBody = Type.Object({ url: Type.String({ minLength: 1, maxLength: 2048 }) }, { additionalProperties: false });
const ReplayBody = Type.Object(
  {
    since: Type.String({ format: 'date-time', description: 'Events that happened at or after this time' }),
    service: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
const one = { 200: WebhookOut, ...S.problems(400, 401, 403, 404, 429) };

const client = (req: FastifyRequest) => req.principal!.clientId;

/** A service's webhook: set, read, rotate, enable, remove; and the replay of past events. */
export function registerWebhookRoutes(app: FastifyInstance, d: WebhookRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const base = { onRequest: d.guard(SCOPE), config: { json: true } };
  const schema = (operationId: string, summary: string) => ({ tags: [TAG], operationId, summary, security });
  api.put(
    '/services/:id/webhook',
    {
      ...base,
      schema: {
        ...schema('putWebhook', "Sets the URL the service's events are posted to (a new endpoint gets its secret)"),
        params: S.ServiceParams,
        body: PutBody,
        response: one,
      },
    },
    async (req) => presentWebhook(await d.webhooks.put(client(req), req.params.id, req.body.url)),
  );
  api.get(
    '/services/:id/webhook',
    {
      ...base,
      schema: {
        ...schema('getWebhook', "Reads the service's webhook and its delivery status"),
        params: S.ServiceParams,
        response: one,
      },
    },
    async (req) => presentWebhook(await d.webhooks.get(client(req), req.params.id)),
  );
  api.delete(
    '/services/:id/webhook',
    {
      ...base,
      schema: {
        ...schema('deleteWebhook', "Removes the service's webhook"),
        params: S.ServiceParams,
        response: { 204: { type: 'null', description: 'Removed' }, ...S.problems(401, 403, 404, 429) },
      },
    },
    async (req, reply) => {
      await d.webhooks.remove(client(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
  for (const [action, summary] of [
    ['rotate', 'A new signing secret; the previous one still signs until the next rotation'],
    ['enable', 'Enables a webhook that was disabled after failing for a day'],
  ] as const) {
    api.post(
      `/services/:id/webhook/${action}`,
      { ...base, schema: { ...schema(`${action}Webhook`, summary), params: S.ServiceParams, response: one } },
      async (req) =>
        presentWebhook(
          await (action === 'rotate' ? d.webhooks.rotate : d.webhooks.enable).call(
            d.webhooks,
            client(req),
            req.params.id,
          ),
        ),
    );
  }
  api.post(
    '/events/replay',
    {
      ...base,
      schema: {
        ...schema('replayEvents', 'Posts delivered and abandoned events again (an operator key: every tenant)'),
        body: ReplayBody,
        response: { 200: Type.Object({ replayed: Type.Integer() }), ...S.problems(400, 401, 403, 429) },
      },
    },
    async (req) => {
      const p = req.principal!;
      const clientId = p.kind === 'operator' ? undefined : p.clientId;
      return { replayed: await d.webhooks.replay(Date.parse(req.body.since), clientId, req.body.service) };
    },
  );
}
