import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ServiceSettings } from '../../core/services.ts';
import { TwilioError } from './errors.ts';
import * as F from './forms.ts';
import { presentService } from './present.ts';
import { baseUrl, refuseUnsupported, TAG, type TwilioDeps } from './routes.ts';

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

export function registerServiceRoutes(app: FastifyInstance, d: TwilioDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const onRequest = d.guard('services', { basic: true });
  const client = (req: FastifyRequest) => req.principal!.clientId;
  const show = (req: FastifyRequest, s: Parameters<typeof presentService>[0]) =>
    presentService(s, baseUrl(req), d.codeLength);
  const form = { consumes: ['application/x-www-form-urlencoded'] };

  api.post(
    '/Services',
    {
      onRequest,
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
      return reply.code(201).send(show(req, s));
    },
  );

  api.get(
    '/Services',
    {
      onRequest,
      schema: { tags: [TAG], security: [{ basic: [] }], operationId: 'twilioListService', querystring: F.PageQuery },
    },
    async (req) => {
      const size = Math.min(PAGE_MAX, Math.max(1, Number(req.query.PageSize ?? 50)));
      const page = Number(req.query.Page ?? 0);
      const r = await d.services.list(client(req), size, req.query.PageToken || undefined);
      const url = (p: number, token?: string) =>
        `${baseUrl(req)}/v2/Services?PageSize=${size}&Page=${p}${token ? `&PageToken=${token}` : ''}`;
      return {
        services: r.services.map((s) => show(req, s)),
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

  api.get(
    '/Services/:Sid',
    {
      onRequest,
      schema: { tags: [TAG], security: [{ basic: [] }], operationId: 'twilioFetchService', params: F.ServiceSidParams },
    },
    async (req) => show(req, await d.services.get(client(req), req.params.Sid)),
  );

  api.post(
    '/Services/:Sid',
    {
      onRequest,
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
      return show(req, s);
    },
  );

  api.delete(
    '/Services/:Sid',
    {
      onRequest,
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
