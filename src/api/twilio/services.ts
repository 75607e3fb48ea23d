import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Service, ServiceSettings } from '../../core/services.ts';
import { TwilioError } from './errors.ts';
import * as F from './forms.ts';
import { presentService } from './present.ts';
import { baseUrl, client, refuseUnsupported, TAG, type TwilioDeps } from './shared.ts';

/**
 * What Twilio documents for a new service, kept as the service's own settings: codes valid for 10
 * minutes, 5 checks, 5 sends per 10 minutes to one recipient.
 */
export const TWILIO_SERVICE_DEFAULTS: ServiceSettings = Object.freeze({
  ttlSeconds: 600,
  maxChecks: 5,
  maxSends: 5,
  sendWindowSeconds: 600,
});

const PAGE_MAX = 100;

function codeLengthOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 4 || n > 10)
    throw new TwilioError(60200, 400, 'Invalid parameter: CodeLength must be from 4 to 10');
  return n;
}

const form = { consumes: ['application/x-www-form-urlencoded'] };
const show = (d: TwilioDeps, req: FastifyRequest, s: Service) => presentService(s, baseUrl(req), d.codeLength);

export function registerServiceRoutes(app: FastifyInstance, d: TwilioDeps): void {
  for (const route of [
    twilioCreateServiceRoute,
    twilioListServiceRoute,
    twilioFetchServiceRoute,
    twilioUpdateServiceRoute,
    twilioDeleteServiceRoute,
  ])
    route(app, d);
}

function twilioCreateServiceRoute(app: FastifyInstance, d: TwilioDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post(
    '/Services',
    {
      onRequest: d.guard('services', { basic: true }),
      schema: {
        tags: [TAG],
        security: [{ basic: [] }],
        operationId: 'twilioCreateService',
        body: F.ServiceForm,
        ...form,
      },
    },
    async (req, reply) => {
      refuseUnsupported(req.body, F.UNSUPPORTED_SERVICE);
      if (!req.body.FriendlyName) throw new TwilioError(60200, 400, 'Invalid parameter: FriendlyName is required');
      const codeLength = codeLengthOf(req.body.CodeLength);
      const settings = { ...TWILIO_SERVICE_DEFAULTS, ...(codeLength ? { codeLength } : {}) };
      const s = await d.services.create(client(req), req.body.FriendlyName, settings);
      return reply.code(201).send(show(d, req, s));
    },
  );
}

function twilioListServiceRoute(app: FastifyInstance, d: TwilioDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/Services',
    {
      onRequest: d.guard('services', { basic: true }),
      schema: { tags: [TAG], security: [{ basic: [] }], operationId: 'twilioListService', querystring: F.PageQuery },
    },
    async (req) => {
      const size = Math.min(PAGE_MAX, Math.max(1, Number(req.query.PageSize ?? 50)));
      const page = Number(req.query.Page ?? 0);
      const r = await d.services.list(client(req), size, req.query.PageToken || undefined);
      const url = (p: number, token?: string) =>
        `${baseUrl(req)}/v2/Services?PageSize=${size}&Page=${p}${token ? `&PageToken=${token}` : ''}`;
      return {
        services: r.services.map((s) => show(d, req, s)),
        meta: {
          page,
          page_size: size,
          first_page_url: url(0),
          previous_page_url: null,
          next_page_url: r.next ? url(page + 1, r.next) : null,
          key: 'services',
          url: url(page, req.query.PageToken),
        },
      };
    },
  );
}

function twilioFetchServiceRoute(app: FastifyInstance, d: TwilioDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/Services/:Sid',
    {
      onRequest: d.guard('services', { basic: true }),
      schema: { tags: [TAG], security: [{ basic: [] }], operationId: 'twilioFetchService', params: F.ServiceSidParams },
    },
    async (req) => show(d, req, await d.services.get(client(req), req.params.Sid)),
  );
}

function twilioUpdateServiceRoute(app: FastifyInstance, d: TwilioDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post(
    '/Services/:Sid',
    {
      onRequest: d.guard('services', { basic: true }),
      schema: {
        tags: [TAG],
        security: [{ basic: [] }],
        operationId: 'twilioUpdateService',
        params: F.ServiceSidParams,
        body: F.ServiceForm,
        ...form,
      },
    },
    async (req) => {
      refuseUnsupported(req.body, F.UNSUPPORTED_SERVICE);
      const codeLength = codeLengthOf(req.body.CodeLength);
      const s = await d.services.update(client(req), req.params.Sid, {
        friendlyName: req.body.FriendlyName,
        settings: codeLength ? { codeLength } : {},
      });
      return show(d, req, s);
    },
  );
}

function twilioDeleteServiceRoute(app: FastifyInstance, d: TwilioDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.delete(
    '/Services/:Sid',
    {
      onRequest: d.guard('services', { basic: true }),
      schema: {
        tags: [TAG],
        security: [{ basic: [] }],
        operationId: 'twilioDeleteService',
        params: F.ServiceSidParams,
      },
    },
    async (req, reply) => {
      await d.services.delete(client(req), req.params.Sid);
      return reply.code(204).send();
    },
  );
}
