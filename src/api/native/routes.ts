import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { channelOf, maskRecipient } from '../../core/email.ts';
import { OtpdError } from '../../core/errors.ts';
import type { ServiceSettings, Services } from '../../core/services.ts';
import type { Verifications } from '../../core/verifications.ts';
import type { Metrics } from '../../metrics.ts';
import { keyCheckOf } from '../auth.ts';
import type { ClientIp } from '../client-ip.ts';
import type { Guard } from '../guard.ts';
import { useSurface } from '../surface.ts';
import { NATIVE_SURFACE } from './errors.ts';
import { presentService, presentState, presentVerification } from './present.ts';
import * as S from './schemas.ts';
import { registerWebhookRoutes } from './webhook-routes.ts';
import type { Webhooks } from '../../core/webhooks.ts';

export interface NativeDeps {
  readonly services: Services;
  readonly webhooks: Webhooks;
  readonly verifications: Verifications;
  readonly guard: Guard;
  readonly metrics: Metrics;
  readonly clientIp: (req: FastifyRequest) => ClientIp;
}

const VERIFY = 'verify' as const;
const SERVICES = 'services' as const;
const TAG = 'otpd API';
const security = (scope: string) => [{ bearer: [scope] }];

/** otpd's own JSON API under /v1: services, and verifications by id or by recipient. */
export function nativeApi(deps: NativeDeps): FastifyPluginAsync {
  return async (scope) => {
    useSurface(scope, () => NATIVE_SURFACE);
    registerServiceRoutes(scope, deps);
    registerVerificationRoutes(scope, deps);
    registerWebhookRoutes(scope, deps);
  };
}

/** The settings of a request body: the name aside, a null clears an override back to the default. */
function settingsOf(body: Record<string, unknown>): ServiceSettings {
  const { friendlyName: _, ...rest } = body;
  return rest as ServiceSettings;
}

const client = (req: FastifyRequest) => req.principal!.clientId;
const one = { 200: S.ServiceOut, ...S.problems(400, 401, 403, 404, 429) };
const ctx = (req: FastifyRequest) => ({ key: keyCheckOf(req.principal!), request: req.requestBudget });

/** Runs a use case and counts its outcome: the success label, or the error's catalogue code. */
async function counted<T>(
  d: NativeDeps,
  operation: 'send' | 'validate',
  run: () => Promise<T>,
  outcome: (r: T) => string,
): Promise<T> {
  try {
    const r = await run();
    d.metrics.verifications.inc({ operation, outcome: outcome(r) });
    return r;
  } catch (err) {
    d.metrics.verifications.inc({ operation, outcome: err instanceof OtpdError ? err.code : 'error' });
    throw err;
  }
}

function registerServiceRoutes(app: FastifyInstance, d: NativeDeps): void {
  for (const route of [createServiceRoute, listServicesRoute, getServiceRoute, updateServiceRoute, deleteServiceRoute])
    route(app, d);
}

function createServiceRoute(app: FastifyInstance, d: NativeDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post(
    '/services',
    {
      onRequest: d.guard(SERVICES),
      config: { json: true },
      schema: {
        tags: [TAG],
        operationId: 'createService',
        summary: 'Creates a service (a named configuration of codes, limits, channels and texts)',
        security: security(SERVICES),
        body: S.ServiceCreate,
        response: { 201: S.ServiceOut, ...S.problems(400, 401, 403, 429) },
      },
    },
    async (req, reply) => {
      const s = await d.services.create(client(req), req.body.friendlyName, settingsOf(req.body));
      return reply.code(201).send(presentService(s));
    },
  );
}

function listServicesRoute(app: FastifyInstance, d: NativeDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/services',
    {
      onRequest: d.guard(SERVICES),
      config: { json: true },
      schema: {
        tags: [TAG],
        operationId: 'listServices',
        summary: "Lists the client's services, a page at a time",
        security: security(SERVICES),
        querystring: S.PageQuery,
        response: { 200: S.ServicePageOut, ...S.problems(400, 401, 403, 429) },
      },
    },
    async (req) => {
      const page = await d.services.list(client(req), Number(req.query.limit ?? 20), req.query.after);
      return { services: page.services.map(presentService), next: page.next ?? null };
    },
  );
}

function getServiceRoute(app: FastifyInstance, d: NativeDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/services/:id',
    {
      onRequest: d.guard(SERVICES),
      config: { json: true },
      schema: {
        tags: [TAG],
        operationId: 'getService',
        summary: 'Reads a service',
        security: security(SERVICES),
        params: S.ServiceParams,
        response: one,
      },
    },
    async (req) => presentService(await d.services.get(client(req), req.params.id)),
  );
}

function updateServiceRoute(app: FastifyInstance, d: NativeDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.patch(
    '/services/:id',
    {
      onRequest: d.guard(SERVICES),
      config: { json: true },
      schema: {
        tags: [TAG],
        operationId: 'updateService',
        summary: 'Changes a service: the fields sent replace the stored ones; null clears an override',
        security: security(SERVICES),
        params: S.ServiceParams,
        body: S.ServiceUpdate,
        response: one,
      },
    },
    async (req) => {
      const body = req.body as Record<string, unknown>;
      const s = await d.services.update(client(req), req.params.id, {
        friendlyName: req.body.friendlyName,
        settings: settingsOf(body),
      });
      return presentService(s);
    },
  );
}

function deleteServiceRoute(app: FastifyInstance, d: NativeDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.delete(
    '/services/:id',
    {
      onRequest: d.guard(SERVICES),
      schema: {
        tags: [TAG],
        operationId: 'deleteService',
        summary: 'Deletes a service (its verifications keep working until they expire)',
        security: security(SERVICES),
        params: S.ServiceParams,
        response: { 204: { type: 'null', description: 'Deleted' }, ...S.problems(401, 403, 404, 429) },
      },
    },
    async (req, reply) => {
      await d.services.delete(client(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
}

function registerVerificationRoutes(app: FastifyInstance, d: NativeDeps): void {
  for (const route of [startVerificationRoute, checkVerificationRoute, getVerificationRoute, cancelVerificationRoute])
    route(app, d);
}

function startVerificationRoute(app: FastifyInstance, d: NativeDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post(
    '/verifications',
    {
      onRequest: d.guard(VERIFY, { inOperation: true }),
      config: { json: true },
      schema: {
        tags: [TAG],
        operationId: 'startVerification',
        summary: 'Sends a code; while one is pending for the recipient in the service, sends the same code again',
        description:
          '201 with a new verification; 200 with the pending one when its code was sent again (a send attempt, ' +
          'within the same limits). A 429 may carry a proof-of-work `challenge`: solve it and send it back.',
        security: security(VERIFY),
        body: S.StartBody,
        response: { 201: S.VerificationOut, 200: S.VerificationOut, ...S.problems(400, 401, 403, 404, 429, 503) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const channel = b.channel ?? channelOf(b.to);
      req.logPhone = maskRecipient(b.to);
      const ip = d.clientIp(req);
      const r = await counted(
        d,
        'send',
        () =>
          d.verifications.start(
            req.principal!.clientId,
            { service: b.service, to: b.to, channel, locale: b.locale },
            { ...ctx(req), ip: ip.ip, ipProxied: ip.proxied, challenge: { accepts: true, solution: b.challenge } },
          ),
        (x) => (x.created ? 'queued' : 'resent'),
      );
      return reply.code(r.created ? 201 : 200).send(presentVerification(r.verification));
    },
  );
}

function checkVerificationRoute(app: FastifyInstance, d: NativeDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post(
    '/verifications/check',
    {
      onRequest: d.guard(VERIFY, { inOperation: true }),
      config: { json: true },
      schema: {
        tags: [TAG],
        operationId: 'checkVerification',
        summary: 'Checks a code, by verification id or by recipient',
        description:
          'Always 200 with the status: `valid` is true for the check that approved it. A verification that is ' +
          'no longer pending answers its status and compares nothing.',
        security: security(VERIFY),
        body: S.CheckBody,
        response: { 200: S.CheckOut, ...S.problems(400, 401, 403, 404, 429) },
      },
    },
    async (req) => {
      const b = req.body;
      if ((b.id === undefined) === (b.to === undefined))
        throw new OtpdError('INVALID_ARGUMENT', 'send either id, or to (with service, else the default service)');
      if (b.id !== undefined && b.service !== undefined)
        throw new OtpdError('INVALID_ARGUMENT', 'service goes with to, not with id');
      if (b.to !== undefined) req.logPhone = maskRecipient(b.to);
      const target = b.id !== undefined ? { id: b.id } : { service: b.service, to: b.to! };
      const r = await counted(
        d,
        'validate',
        () => d.verifications.check(req.principal!.clientId, target, b.code, ctx(req)),
        (x) => (x.valid ? 'verified' : `check_${x.verification.status}`),
      );
      return { ...presentState(r.verification), valid: r.valid };
    },
  );
}

function getVerificationRoute(app: FastifyInstance, d: NativeDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/verifications/:id',
    {
      onRequest: d.guard(VERIFY),
      config: { json: true },
      schema: {
        tags: [TAG],
        operationId: 'getVerification',
        summary: "Reads a verification's status and each send attempt's delivery status",
        security: security(VERIFY),
        params: S.VerificationParams,
        response: { 200: S.VerificationOut, ...S.problems(401, 403, 404, 429) },
      },
    },
    async (req) => presentVerification(await d.verifications.get(req.principal!.clientId, req.params.id)),
  );
}

function cancelVerificationRoute(app: FastifyInstance, d: NativeDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post(
    '/verifications/:id/cancel',
    {
      onRequest: d.guard(VERIFY),
      schema: {
        tags: [TAG],
        operationId: 'cancelVerification',
        summary: 'Cancels a pending verification: its code no longer works',
        security: security(VERIFY),
        params: S.VerificationParams,
        response: { 200: S.VerificationOut, ...S.problems(401, 403, 404, 409, 429) },
      },
    },
    async (req) => presentVerification(await d.verifications.cancel(req.principal!.clientId, req.params.id)),
  );
}
