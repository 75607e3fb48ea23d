import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { OtpdError } from '../core/errors.ts';
import { normalizeEmail } from '../core/email.ts';
import type { Store } from '../core/ports/store.ts';
import { basicCredentials, tenantOf, type Authenticator } from './auth.ts';
import { validationErrors } from './validation-messages.ts';
import type { Guard } from './guard.ts';
import type { Metrics } from '../metrics.ts';

const TokenForm = Type.Object(
  {
    grant_type: Type.String(),
    scope: Type.Optional(Type.String()),
    client_id: Type.Optional(Type.String()),
    client_secret: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** Health, readiness, metrics, OAuth2 tokens and the development outbox. */
export async function registerOpsRoutes(
  app: FastifyInstance,
  d: {
    store: Store;
    auth: Authenticator;
    metrics: Metrics;
    guard: Guard;
    devOutbox: boolean;
    production: boolean;
    delivery?: (() => { degraded: boolean; gateways: readonly object[] }) | undefined;
  },
): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get('/healthz', { schema: { tags: ['Operations'], summary: 'Liveness' } }, async () => ({ status: 'ok' }));

  const readiness = {
    tags: ['Operations'],
    summary: 'Readiness: the store answers',
    description:
      'Ready (200) while the store answers. `delivery` is `degraded` while some route has no gateway that ' +
      "can send (every link down or circuit open), with each gateway's state and cause: accepted codes then " +
      'wait in the queue. That does not fail readiness, because every replica shares the same gateways and ' +
      'taking them all out of service would refuse what the store can still keep. In production the ' +
      'probe is open to anyone, so it names no gateway: /metrics (otpd_gateway_link_up, ' +
      'otpd_gateway_circuit_open) and the logs carry the details.',
  };
  api.get('/readyz', { schema: readiness }, async (req) => {
    try {
      await d.store.ping();
      if (!d.delivery) return { status: 'ready' };
      const s = d.delivery();
      const delivery = s.degraded ? 'degraded' : 'ok';
      return d.production ? { status: 'ready', delivery } : { status: 'ready', delivery, gateways: s.gateways };
    } catch (err) {
      req.log.warn({ err }, 'store not reachable');
      throw new OtpdError('UNAVAILABLE', 'store not reachable');
    }
  });

  api.get('/metrics', { schema: { tags: ['Operations'], summary: 'Prometheus metrics' } }, async (_req, reply) => {
    void reply.type(d.metrics.registry.contentType);
    return d.metrics.registry.metrics();
  });

  // Encapsulated so that form bodies are accepted here and nowhere else.
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/oauth2/token',
      {
        schema: {
          tags: ['Authentication'],
          summary: 'OAuth2 client credentials: key id and secret for a short-lived access token',
          body: TokenForm,
        },
      },
      async (req, reply) => {
        if (req.body.grant_type !== 'client_credentials')
          throw new OtpdError('INVALID_ARGUMENT', 'grant_type must be client_credentials');
        const creds =
          basicCredentials(req.headers.authorization) ??
          (req.body.client_id && req.body.client_secret
            ? ([req.body.client_id, req.body.client_secret] as [string, string])
            : undefined);
        if (!creds) throw new OtpdError('UNAUTHENTICATED');
        void reply.header('cache-control', 'no-store');
        return d.auth.issueToken(creds[0], creds[1], req.body.scope || undefined);
      },
    );
  });

  if (d.devOutbox) {
    api.get(
      '/dev/messages',
      {
        onRequest: d.guard('admin'),
        config: { json: true },
        schemaErrorFormatter: validationErrors({
          'querystring/to': { pattern: 'to must be an E.164 number (+34629255833) or an email address' },
        }),
        schema: {
          tags: ['Development'],
          summary: 'Texts delivered to the development outbox, newest first',
          description: "A client key sees its own tenant's texts alone; an operator key every tenant's.",
          security: [{ bearer: ['admin'] }],
          querystring: Type.Object(
            {
              to: Type.Optional(
                Type.String({
                  pattern: '^(\\+[1-9][0-9]{4,14}|[^@\\s]{1,64}@[^@\\s]{1,253})$',
                  description: 'An E.164 number or an email address',
                }),
              ),
              limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => {
        const limit = Math.min(500, Math.max(1, Number(req.query.limit ?? 50)));
        // Addresses are kept in their normal form: the same lookup finds Alice@Example.com and alice@example.com.
        const to = req.query.to?.includes('@') ? normalizeEmail(req.query.to) : req.query.to;
        const rows = await d.store.listDevMessages(to, limit, tenantOf(req.principal));
        return {
          messages: rows.map((r) => ({ to: r.to, text: r.text, createdAt: new Date(r.createdAt).toISOString() })),
        };
      },
    );
  }
}
