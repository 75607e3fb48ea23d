import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { OtpdError } from '../core/errors.ts';
import { hasCallbackReceipts, type Gateway } from '../core/ports/gateway.ts';
import { MESSAGE_STATUSES, messageHistory, type MessageHistory } from '../core/message-log.ts';
import type { Store } from '../core/ports/store.ts';
import { parseInstant, type Clock } from '../core/clock.ts';
import type { Guard } from './guard.ts';
import { tenantOf } from './auth.ts';
import type { Metrics } from '../metrics.ts';

export interface DeliveryRouteDeps {
  readonly store: Store;
  readonly guard: Guard;
  readonly metrics: Metrics;
  readonly clock: Clock;
  /** Looks up a configured gateway by id. */
  readonly gateways: { gateway(id: string): Gateway; all(): Gateway[] };
  /** The base URL providers call, so signatures over the full URL can be checked behind a proxy. */
  readonly publicUrl: string | undefined;
}

const Instant = Type.String({
  pattern: '^(\\d{4}-\\d{2}-\\d{2}(T[0-9:.]+(Z|[+-]\\d{2}:\\d{2}))?|\\d{1,15})$',
  description: 'ISO 8601, or epoch milliseconds',
});

const MessagesQuery = Type.Object(
  {
    to: Type.Optional(Type.String({ pattern: '^\\+[1-9][0-9]{4,14}$|^[^\\s@]+@[^\\s@]+$' })),
    status: Type.Optional(Type.Union(MESSAGE_STATUSES.map((s) => Type.Literal(s)))),
    gateway: Type.Optional(Type.String({ maxLength: 32 })),
    since: Type.Optional(Instant),
    until: Type.Optional(Instant),
    before: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,18}$', description: 'Cursor: the `next` of the previous page' }),
    ),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
  },
  { additionalProperties: false },
);

const toMs = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined;
  const ms = parseInstant(s);
  if (ms === undefined) throw new OtpdError('INVALID_ARGUMENT', `"${s}" is not a time`);
  return ms;
};
const iso = (ms: number) => new Date(ms).toISOString();

/** A message for operators: status and attempts, never the body (so never the code). */
function present({ message: m, attempts }: MessageHistory) {
  return {
    id: m.id,
    channel: m.channel,
    to: m.recipient,
    status: m.status,
    segments: m.segments,
    gateway: m.gateway,
    providerMessageId: m.providerMessageId,
    createdAt: iso(m.createdAt),
    updatedAt: iso(m.updatedAt),
    lastError: m.lastError,
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      gateway: a.gateway,
      outcome: a.outcome,
      providerMessageId: a.providerMessageId,
      error: a.error,
      segments: a.segments,
      startedAt: iso(a.startedAt),
      latencyMs: a.finishedAt - a.startedAt,
    })),
  };
}

/** GET /admin/messages (status and attempts of each message) and POST /callbacks/:gateway (delivery reports). */
export async function registerDeliveryRoutes(app: FastifyInstance, d: DeliveryRouteDeps): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/admin/messages',
    {
      onRequest: d.guard('admin'),
      config: { json: true },
      schema: {
        tags: ['Operations'],
        summary: 'Messages with their status and every delivery attempt, newest first (never the text)',
        description: "A client key sees its own tenant's messages alone; an operator key every tenant's.",
        security: [{ bearer: ['admin'] }],
        querystring: MessagesQuery,
      },
    },
    async (req) => {
      const q = req.query;
      const limit = Math.min(200, Math.max(1, Number(q.limit ?? 50)));
      const history = await messageHistory(d.store, {
        clientId: tenantOf(req.principal),
        recipient: q.to,
        status: q.status,
        gateway: q.gateway,
        since: toMs(q.since),
        until: toMs(q.until),
        before: q.before,
        limit,
      });
      return {
        messages: history.map(present),
        next: history.length === limit ? history[history.length - 1]!.message.id : null,
      };
    },
  );

  // Encapsulated: providers post forms or JSON, and signatures are computed over the raw body, so
  // the body is kept as the exact string received and parsed by the gateway after verification.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scope.post<{ Params: { gateway: string }; Body: string }>(
      '/callbacks/:gateway',
      {
        schema: {
          tags: ['Delivery'],
          summary: 'Delivery-status callbacks from providers (signed)',
          params: Type.Object({ gateway: Type.String({ maxLength: 32 }) }),
        },
      },
      async (req) => {
        const gateway = d.gateways.all().find((g) => g.id === req.params.gateway);
        if (!gateway || !hasCallbackReceipts(gateway)) throw new OtpdError('NOT_FOUND');
        const base = d.publicUrl ?? `${req.protocol}://${req.host}`;
        const headers = Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
        );
        const r = gateway.handleCallback(
          { url: base.replace(/\/$/, '') + req.url, method: req.method, headers, body: req.body ?? '' },
          d.clock.now(),
        );
        if (!r.ok) {
          req.log.warn({ gateway: gateway.id, reason: r.reason, detail: r.detail }, 'delivery callback refused');
          throw new OtpdError(
            r.reason === 'signature' ? 'UNAUTHENTICATED' : 'INVALID_ARGUMENT',
            r.reason === 'signature' ? 'invalid or missing signature' : r.detail,
          );
        }
        // Ids come from a signed but foreign body: control characters cannot be a provider's id.
        // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
        if (r.receipts.some((x) => /[\u0000-\u001f]/.test(x.providerMessageId) || x.providerMessageId.length > 200)) {
          throw new OtpdError('INVALID_ARGUMENT', 'a provider message id in the report is malformed');
        }
        let recorded = 0;
        for (const receipt of r.receipts) {
          if ((await d.store.recordReceipt({ ...receipt, gateway: gateway.id })) === 'recorded') {
            recorded += 1;
            d.metrics.receipts.inc({ gateway: gateway.id, status: receipt.status });
          }
        }
        return { received: r.receipts.length, recorded };
      },
    );
  });
}
