import type { FastifySchema, RouteOptions } from 'fastify';
import { ErrorInfo } from './camara/schemas.ts';
import { NATIVE_PREFIX } from './native/errors.ts';
import { Problem } from './native/schemas.ts';
import { TWILIO_PREFIX } from './twilio/errors.ts';

/** Twilio's error body, as the compatible API answers every error. */
const TwilioError = {
  type: 'object',
  properties: {
    code: { type: 'integer', description: "Twilio's error code, e.g. 20404, 60200, 60202" },
    message: { type: 'string' },
    more_info: { type: 'string', format: 'uri' },
    status: { type: 'integer' },
  },
};

/** The error body of the surface that serves `url`, as a response's documentation. */
function errorBody(url: string, doc: object): object {
  const under = (prefix: string) => url === prefix || url.startsWith(`${prefix}/`);
  if (under(NATIVE_PREFIX)) return { ...Problem, $id: undefined, ...doc };
  if (under(TWILIO_PREFIX)) return { ...TwilioError, ...doc };
  return { ...ErrorInfo, $id: undefined, ...doc };
}

const string = (description: string) => ({ type: 'string', description });

/** The answers a route may give whatever it does, in the API's error body. */
const STANDARD: Readonly<Record<number, { description: string; headers?: Record<string, object> }>> = {
  400: { description: 'INVALID_ARGUMENT: the URL, query, x-correlator or body is malformed' },
  401: {
    description: 'UNAUTHENTICATED: missing, invalid, expired or revoked credentials',
    headers: { 'www-authenticate': string('Bearer') },
  },
  403: { description: 'PERMISSION_DENIED: the credentials lack the scope' },
  404: { description: 'NOT_FOUND' },
  405: {
    description: 'METHOD_NOT_ALLOWED',
    headers: { allow: string('The methods this path serves') },
  },
  406: { description: 'NOT_ACCEPTABLE: Accept excludes application/json' },
  413: { description: 'CONTENT_TOO_LARGE: the body is larger than bodyLimit' },
  415: { description: 'UNSUPPORTED_MEDIA_TYPE: the Content-Type is not accepted here' },
  429: {
    description: "TOO_MANY_REQUESTS: over the client's request rate",
    headers: { 'retry-after': string('Seconds to wait') },
  },
  500: { description: 'INTERNAL: the message carries only the request id' },
  503: {
    description: 'UNAVAILABLE: not ready, shutting down, or (send-code) delivery has fallen behind',
    headers: { 'retry-after': string('Seconds to wait, when delivery has fallen behind') },
  },
};

/** What a route's options do not show: a success other than 200 or 204, errors its handler raises. */
interface Extras {
  readonly success?: number;
  readonly errors?: readonly number[];
  readonly never?: readonly number[];
}
const ROUTE_EXTRAS: Readonly<Record<string, Extras>> = {
  'POST /admin/number-rules': { success: 201 },
  'POST /oauth2/token': { errors: [401, 403] },
  // Another tenant's policy is not found, exactly like an unknown one, for a client key.
  'GET /admin/clients/:clientId/policy': { errors: [404] },
  // Any content type is taken: the provider's signature covers the raw body.
  'POST /callbacks/:gateway': { errors: [401, 404], never: [415] },
};

const SUCCESS: Readonly<Record<number, string>> = { 200: 'OK', 201: 'Created', 204: 'No Content' };

function statuses(route: RouteOptions, schema: FastifySchema, method: string, extras?: Extras): number[] {
  const out = [400, 405, 500, 503, ...(extras?.errors ?? [])];
  if (schema.security) out.push(401, 403, 429);
  if (route.config?.json) out.push(406);
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') out.push(413, 415);
  if (method === 'DELETE') out.push(404);
  return out.filter((s) => !extras?.never?.includes(s));
}

/**
 * @fastify/swagger's transform: every documented route lists its success and every error it can
 * answer, with the error body's schema. What a route declares itself is kept; documentation only,
 * so validation and serialization are untouched.
 */
export function documentResponses({ schema, url, route }: { schema: FastifySchema; url: string; route: RouteOptions }) {
  if (!schema || (schema as { hide?: boolean }).hide) return { schema, url };
  const method = [route.method].flat()[0]!;
  const extras = ROUTE_EXTRAS[`${method} ${route.url}`];
  const response: Record<string, unknown> = { ...(schema.response as Record<string, unknown> | undefined) };
  if (!Object.keys(response).some((s) => s.startsWith('2'))) {
    const ok = extras?.success ?? (method === 'DELETE' ? 204 : 200);
    response[ok] = ok === 204 ? { type: 'null', description: SUCCESS[ok] } : { description: SUCCESS[ok] };
  }
  for (const status of statuses(route, schema, method, extras)) {
    response[status] ??= errorBody(route.url, STANDARD[status] ?? { description: `Error ${status}` });
  }
  return { schema: { ...schema, response }, url };
}
