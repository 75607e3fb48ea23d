import { isIP } from 'node:net';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { maskRecipient } from '../../core/email.ts';
import { OtpdError } from '../../core/errors.ts';
import type { Verifications, VerificationState } from '../../core/verifications.ts';
import { keyCheckOf } from '../auth.ts';
import { useSurface } from '../surface.ts';
import { TWILIO_SURFACE, TwilioError } from './errors.ts';
import * as F from './forms.ts';
import { presentCheck, presentVerification } from './present.ts';
import { registerServiceRoutes } from './services.ts';
import { baseUrl, client, refuseUnsupported, TAG, type TwilioDeps } from './shared.ts';

export type { TwilioDeps } from './shared.ts';

/** Twilio's sub-resources otpd does not implement, named in the 20404 that answers them. */
const NOT_IMPLEMENTED = new RegExp(
  `/(${[
    'Entities',
    'Factors',
    'Challenges',
    'AccessTokens',
    'Passkeys',
    'RateLimits',
    'Buckets',
    'MessagingConfigurations',
    'Webhooks',
    'Attempts',
    'Forms',
    'SafeList',
    'Templates',
  ].join('|')})(/|$)`,
);

/**
 * Twilio Verify v2 at Twilio's own paths under /v2, for apps written against Twilio's SDKs: form
 * bodies, snake_case JSON, Twilio's sids, paging and error codes, HTTP Basic with (account SID or
 * key id, key secret).
 */
export function twilioApi(deps: TwilioDeps): FastifyPluginAsync {
  return async (scope) => {
    useSurface(
      scope,
      () => TWILIO_SURFACE,
      (req) => {
        const part = NOT_IMPLEMENTED.exec(req.url.split('?', 1)[0] ?? '')?.[1];
        return part
          ? new TwilioError(20404, 404, `otpd does not implement Twilio Verify's ${part}`)
          : new OtpdError('NOT_FOUND');
      },
    );
    // Twilio's API takes form bodies only; they are parsed here and nowhere else.
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    registerServiceRoutes(scope, deps);
    registerVerificationRoutes(scope, deps);
  };
}

const ctx = (req: FastifyRequest) => ({ key: keyCheckOf(req.principal!), request: req.requestBudget });

/** A verification is reached through its own service's path only. */
function inService<V extends VerificationState>(serviceSid: string, v: V): V {
  if (v.serviceId !== serviceSid) throw new OtpdError('NOT_FOUND');
  return v;
}

const count = (d: TwilioDeps, operation: 'send' | 'validate', outcome: string) =>
  d.metrics.verifications.inc({ operation, outcome });

function registerVerificationRoutes(app: FastifyInstance, d: TwilioDeps): void {
  for (const route of [
    twilioCreateVerificationRoute,
    twilioFetchVerificationRoute,
    twilioUpdateVerificationRoute,
    twilioCreateVerificationCheckRoute,
  ])
    route(app, d);
}

function twilioCreateVerificationRoute(app: FastifyInstance, d: TwilioDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post(
    '/Services/:ServiceSid/Verifications',
    {
      onRequest: d.guard('verify', { inOperation: true, basic: true }),
      schema: {
        tags: [TAG],
        security: [{ basic: [] }],
        operationId: 'twilioCreateVerification',
        summary: 'Starts a verification (a pending one for the same To is sent its code again)',
        params: F.ServiceParams,
        body: F.StartForm,
        consumes: ['application/x-www-form-urlencoded'],
      },
    },
    async (req, reply) => {
      const b = req.body;
      refuseUnsupported(b, F.UNSUPPORTED_START, false);
      if (b.Channel !== 'sms' && b.Channel !== 'email')
        throw new TwilioError(60200, 400, `Invalid parameter: Channel. otpd does not send by ${b.Channel}`);
      if (b.RiskCheck === 'disable')
        throw new TwilioError(60200, 400, 'Invalid parameter: otpd does not turn its fraud defences off');
      req.logPhone = maskRecipient(b.To);
      await d.services.get(client(req), req.params.ServiceSid);
      if (b.DeviceIp !== undefined && isIP(b.DeviceIp) === 0)
        throw new TwilioError(60200, 400, 'Invalid parameter: DeviceIp is not an IP address');
      // The end user's address as the tenant's backend saw it: an end-user IP, as a trusted proxy's would be.
      const ip = b.DeviceIp ? { ip: b.DeviceIp, ipProxied: true } : { ip: d.clientIp(req).ip, ipProxied: false };
      try {
        const r = await d.verifications.start(
          client(req),
          {
            service: req.params.ServiceSid,
            to: b.To,
            channel: b.Channel,
            locale: b.Locale,
            friendlyName: b.CustomFriendlyName,
            appHash: b.AppHash,
          },
          { ...ctx(req), ...ip },
        );
        count(d, 'send', r.created ? 'queued' : 'resent');
        return reply.code(201).send(presentVerification(r.verification, client(req), baseUrl(req), r.to));
      } catch (err) {
        count(d, 'send', err instanceof OtpdError ? err.code : 'error');
        throw err;
      }
    },
  );
}

function twilioFetchVerificationRoute(app: FastifyInstance, d: TwilioDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/Services/:ServiceSid/Verifications/:Sid',
    {
      onRequest: d.guard('verify', { basic: true }),
      schema: {
        tags: [TAG],
        security: [{ basic: [] }],
        operationId: 'twilioFetchVerification',
        params: F.VerificationParams,
      },
    },
    async (req) => {
      await d.services.get(client(req), req.params.ServiceSid);
      const v = inService(req.params.ServiceSid, await d.verifications.get(client(req), req.params.Sid));
      return presentVerification(v, client(req), baseUrl(req));
    },
  );
}

function twilioUpdateVerificationRoute(app: FastifyInstance, d: TwilioDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post(
    '/Services/:ServiceSid/Verifications/:Sid',
    {
      onRequest: d.guard('verify', { basic: true }),
      schema: {
        tags: [TAG],
        security: [{ basic: [] }],
        operationId: 'twilioUpdateVerification',
        summary: 'Status=canceled cancels a pending verification; Status=approved approves it without a code',
        params: F.VerificationParams,
        body: F.UpdateForm,
        consumes: ['application/x-www-form-urlencoded'],
      },
    },
    async (req) => {
      await d.services.get(client(req), req.params.ServiceSid);
      inService(req.params.ServiceSid, await d.verifications.get(client(req), req.params.Sid));
      const v =
        req.body.Status === 'canceled'
          ? await d.verifications.cancel(client(req), req.params.Sid)
          : await d.verifications.approve(client(req), req.params.Sid);
      return presentVerification(v, client(req), baseUrl(req));
    },
  );
}

function twilioCreateVerificationCheckRoute(app: FastifyInstance, d: TwilioDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post(
    '/Services/:ServiceSid/VerificationCheck',
    {
      onRequest: d.guard('verify', { inOperation: true, basic: true }),
      schema: {
        tags: [TAG],
        security: [{ basic: [] }],
        operationId: 'twilioCreateVerificationCheck',
        summary: 'Checks a code, by To or by VerificationSid',
        params: F.ServiceParams,
        body: F.CheckForm,
        consumes: ['application/x-www-form-urlencoded'],
      },
    },
    async (req) => {
      const b = req.body;
      refuseUnsupported(b, ['Amount', 'Payee'], false);
      if ((b.To === undefined) === (b.VerificationSid === undefined))
        throw new TwilioError(60200, 400, 'Invalid parameter: send either To or VerificationSid');
      if (b.To) req.logPhone = maskRecipient(b.To);
      const target = b.VerificationSid ? { id: b.VerificationSid } : { service: req.params.ServiceSid, to: b.To! };
      await d.services.get(client(req), req.params.ServiceSid);
      let r: Awaited<ReturnType<Verifications['check']>>;
      try {
        // Another service's verification is not found here, and nothing of it is counted.
        r = await d.verifications.check(client(req), target, b.Code, ctx(req), req.params.ServiceSid);
      } catch (err) {
        count(d, 'validate', err instanceof OtpdError ? err.code : 'error');
        throw err;
      }
      const v = r.verification;
      count(d, 'validate', r.valid ? 'verified' : `check_${v.status}`);
      // As on Twilio: a verification out of attempts is 60202; approved, canceled or expired is not found.
      if (!r.compared) throw v.status === 'failed' ? new OtpdError('ATTEMPTS_EXHAUSTED') : new OtpdError('NOT_FOUND');
      return presentCheck(v, client(req), r.valid, b.To);
    },
  );
}
