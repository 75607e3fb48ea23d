import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { OtpdError } from '../../core/errors.ts';
import { maskPhone } from '../../core/codes.ts';
import type { Verifier } from '../../core/verification.ts';
import type { Verifications } from '../../core/verifications.ts';
import type { Metrics } from '../../metrics.ts';
import {
  FIELD_MESSAGES,
  SendCodeBody,
  SendCodeResponse,
  SignalHeaders,
  ValidateCodeBody,
  errorResponses,
} from './schemas.ts';
import { validationErrors } from '../validation-messages.ts';
import type { Guard } from '../guard.ts';
import { keyCheckOf } from '../auth.ts';
import type { ClientIp } from '../client-ip.ts';
import { useSurface } from '../surface.ts';
import { CAMARA_SURFACE } from './errors.ts';
import { camaraTemplate } from './template.ts';

const ipContext = (c: ClientIp) => ({ ip: c.ip, ipProxied: c.proxied });

const SCOPE = 'one-time-password-sms:send-validate';
const schemaErrorFormatter = validationErrors(FIELD_MESSAGES);

export interface CamaraDeps {
  readonly verifier: Verifier;
  /** Sends within the client's default service. */
  readonly verifications: Verifications;
  readonly guard: Guard;
  readonly metrics: Metrics;
  readonly clientIp: (req: FastifyRequest) => ClientIp;
}

/**
 * The CAMARA One Time Password SMS v1 surface, a plugin registered under CAMARA_PREFIX with its
 * own error body: two operations over the shared Verifier.
 */
export function camaraApi(deps: CamaraDeps): FastifyPluginAsync {
  return async (scope) => {
    useSurface(scope, () => CAMARA_SURFACE);
    registerRoutes(scope, deps);
  };
}

function registerRoutes(app: FastifyInstance, deps: CamaraDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { verifier, verifications, guard, metrics, clientIp } = deps;
  /** Runs a use case and counts its outcome: the success label, or the error's catalogue code. */
  async function counted<T>(
    operation: 'send' | 'validate',
    run: () => Promise<T>,
    outcome: (r: T) => string,
  ): Promise<T> {
    try {
      const r = await run();
      metrics.verifications.inc({ operation, outcome: outcome(r) });
      return r;
    } catch (err) {
      metrics.verifications.inc({ operation, outcome: err instanceof OtpdError ? err.code : 'error' });
      throw err;
    }
  }

  api.post(
    '/send-code',
    {
      onRequest: guard(SCOPE, { inOperation: true }),
      config: { json: true },
      schemaErrorFormatter,
      schema: {
        tags: ['OTP Management'],
        operationId: 'sendCode',
        summary: 'Sends a message including an OTP code to the given phone number',
        security: [{ bearer: [SCOPE] }],
        headers: SignalHeaders,
        body: SendCodeBody,
        response: { 200: SendCodeResponse, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (req) => {
      req.logPhone = maskPhone(req.body.phoneNumber);
      const r = await counted(
        'send',
        () =>
          verifications.sendInDefault(req.principal!.clientId, req.body.phoneNumber, camaraTemplate(req.body.message), {
            ...ipContext(clientIp(req)),
            key: keyCheckOf(req.principal!),
            request: req.requestBudget,
            device: req.headers['x-otpd-device-id'],
            userAgent: req.headers['x-otpd-user-agent'],
            trusted: req.headers['x-otpd-trusted-user'] === 'true',
          }),
        (x) => (x.test ? 'test_number' : 'queued'),
      );
      return { authenticationId: r.id };
    },
  );

  api.post(
    '/validate-code',
    {
      onRequest: guard(SCOPE, { inOperation: true }),
      config: { json: true },
      schemaErrorFormatter,
      schema: {
        tags: ['OTP Management'],
        operationId: 'validateCode',
        summary: 'Verifies the OTP received as input',
        security: [{ bearer: [SCOPE] }],
        body: ValidateCodeBody,
        response: {
          204: { type: 'null', description: 'The OTP was successfully validated' },
          ...errorResponses(400, 401, 403, 404, 429),
        },
      },
    },
    async (req, reply) => {
      await counted(
        'validate',
        () =>
          verifier.validateCode(req.principal!.clientId, req.body.authenticationId, req.body.code, {
            key: keyCheckOf(req.principal!),
            request: req.requestBudget,
          }),
        () => 'verified',
      );
      return reply.code(204).send(null);
    },
  );
}
