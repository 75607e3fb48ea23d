import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { accountSidOf, SCOPES, type ApiKeys } from '../core/api-keys.ts';
import { OtpdError } from '../core/errors.ts';
import type { ApiKeyRecord } from '../core/ports/store.ts';
import type { Principal } from './auth.ts';
import type { Guard } from './guard.ts';

export interface KeyRouteDeps {
  readonly keys: ApiKeys;
  readonly guard: Guard;
}

const TAG = 'Administration';
const REACH =
  "Needs the admin scope. An operator key sees and manages every tenant's keys; a client key only its own " +
  "tenant's, and creates client keys only.";

const present = (k: ApiKeyRecord) => ({
  id: k.id,
  name: k.name,
  clientId: k.clientId,
  accountSid: accountSidOf(k.clientId),
  kind: k.kind,
  scopes: [...k.scopes],
  createdAt: new Date(k.createdAt).toISOString(),
  revokedAt: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString(),
});

const KeyOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  clientId: Type.String(),
  accountSid: Type.String(),
  kind: Type.Union([Type.Literal('client'), Type.Literal('operator')]),
  scopes: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const NewKey = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Optional(Type.Array(Type.Union(SCOPES.map((s) => Type.Literal(s))), { maxItems: 10 })),
    kind: Type.Optional(Type.Union([Type.Literal('client'), Type.Literal('operator')])),
    clientId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' })),
  },
  { additionalProperties: false },
);

const sees = (p: Principal, k: ApiKeyRecord) => p.kind === 'operator' || k.clientId === p.clientId;

/**
 * API keys over HTTP (what `otpd keys` does on the command line), for the web console and for
 * automation: list, create (the secret is in this answer only), revoke.
 */
export function registerKeyRoutes(app: FastifyInstance, d: KeyRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const route = <S extends object>(summary: string, schema: S) => ({
    onRequest: d.guard('admin'),
    config: { json: true },
    schema: { tags: [TAG], summary, description: REACH, security: [{ bearer: ['admin'] }], ...schema },
  });

  api.get('/admin/keys', route('API keys, revoked ones included; never a secret', {}), async (req) => ({
    keys: (await d.keys.list()).filter((k) => sees(req.principal!, k)).map(present),
  }));

  api.post(
    '/admin/keys',
    route('Creates an API key; its secret is shown in this answer only', {
      body: NewKey,
      response: { 201: Type.Intersect([KeyOut, Type.Object({ secret: Type.String() })]) },
    }),
    async (req, reply) => {
      const p = req.principal!;
      const b = req.body;
      if (p.kind !== 'operator' && (b.kind === 'operator' || (b.clientId !== undefined && b.clientId !== p.clientId)))
        throw new OtpdError('PERMISSION_DENIED', 'A client key creates client keys of its own tenant only.');
      const created = await d.keys.create({
        name: b.name,
        scopes: b.scopes,
        kind: b.kind,
        clientId: p.kind === 'operator' ? b.clientId : p.clientId,
      });
      req.log.info({ key: created.record.id, client: created.record.clientId, by: p.keyId }, 'api key created');
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ ...present(created.record), secret: created.secret });
    },
  );

  api.post(
    '/admin/keys/:id/revoke',
    route('Revokes an API key: it stops working on the next request, on every replica', {
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
      response: { 200: KeyOut },
    }),
    async (req) => {
      const p = req.principal!;
      const key = (await d.keys.list()).find((k) => k.id === req.params.id && sees(p, k));
      if (!key) throw new OtpdError('NOT_FOUND', 'No such key.');
      await d.keys.revoke(key.id);
      req.log.info({ key: key.id, client: key.clientId, by: p.keyId }, 'api key revoked');
      const after = (await d.keys.list()).find((k) => k.id === key.id) ?? key;
      return present(after);
    },
  );
}
