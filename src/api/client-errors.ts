import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { OtpdError } from '../core/errors.ts';
import { correlatorInRawRequest, validCorrelator } from './correlator.ts';
import { OTPD_SURFACE, rendered, type ErrorSurface } from './surface.ts';
import { HTTP_STATUS } from './error-map.ts';

/** What the app knows about the request in progress on a connection, from routing to its response. */
export interface InFlight {
  readonly correlator: string | undefined;
  /** The request target, to answer in its surface's error body. */
  readonly url: string;
  /** The response has started: raw bytes written now would corrupt it. */
  responding: boolean;
}

/** llhttp's error codes, in words a client can act on; anything else is "not valid HTTP/1.1". */
const PARSE_PROBLEMS: Readonly<Record<string, string>> = {
  HPE_INVALID_METHOD: 'the method is not an HTTP method',
  HPE_INVALID_URL: 'the request target holds a character a URL does not allow',
  HPE_INVALID_HEADER_TOKEN: 'a header holds a character HTTP does not allow, or is folded over two lines',
  HPE_CR_EXPECTED: 'a line ends with a bare LF instead of CRLF',
  HPE_LF_EXPECTED: 'a line ends with a bare CR instead of CRLF',
  HPE_STRICT: 'the request line is not a method, a target and HTTP/1.1 ending with CRLF',
  HPE_INVALID_VERSION: 'the request line is not a method, a target and HTTP/1.1 ending with CRLF',
  HPE_INVALID_CONSTANT: 'the request line is not a method, a target and HTTP/1.1 ending with CRLF',
  HPE_INVALID_CONTENT_LENGTH: 'Content-Length is not a number',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'Content-Length is repeated or comes with Transfer-Encoding',
  HPE_INVALID_TRANSFER_ENCODING: 'Transfer-Encoding is not chunked, or comes with Content-Length',
  HPE_INVALID_CHUNK_SIZE: 'the chunked body is malformed',
};

function asOtpdError(code: string | undefined): OtpdError {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return new OtpdError('REQUEST_TIMEOUT');
  if (code === 'HPE_HEADER_OVERFLOW') return new OtpdError('HEADERS_TOO_LARGE');
  const problem = (code && PARSE_PROBLEMS[code]) ?? 'it could not be parsed';
  return new OtpdError('INVALID_ARGUMENT', `The request is not valid HTTP/1.1: ${problem}.`);
}

/** Writes a whole answer in the API's error body on a socket no response owns, then closes it. */
function answerOnSocket(
  socket: Socket,
  surface: ErrorSurface,
  err: OtpdError,
  correlator: string | undefined,
  extra: Record<string, string> = {},
): number {
  const h = rendered(surface, err, '');
  const body = JSON.stringify(h.body);
  const head = [
    `HTTP/1.1 ${h.status} ${STATUS_CODES[h.status]}`,
    `content-type: ${surface.contentType}; charset=utf-8`,
    `content-length: ${Buffer.byteLength(body)}`,
    ...(correlator === undefined ? [] : [`x-correlator: ${correlator}`]),
    ...Object.entries({ ...h.headers, ...extra }).map(([k, v]) => `${k}: ${v}`),
    'connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
  return h.status;
}

/** The request target of the request line in a packet the parser refused, when it can be read. */
function targetInRawRequest(raw: unknown): string {
  if (!Buffer.isBuffer(raw)) return '';
  return /^[A-Z]+ (\/[^ \r\n]*)/.exec(raw.subarray(0, 2048).toString('latin1'))?.[1] ?? '';
}

/**
 * Fastify's clientErrorHandler: what Node's HTTP server reports before (or instead of) a request,
 * namely parse errors and the headers and request deadlines, answered in the API's own error body
 * on the raw socket, then the connection closed. The x-correlator is echoed when it can be known:
 * from the routed request (a body that came too slowly), else from the packet the parser refused.
 */
export function clientErrorHandler(
  inFlight: WeakMap<Socket, InFlight>,
  log: FastifyBaseLogger,
  count: (status: number) => void,
  pick: (url: string) => ErrorSurface,
) {
  return (err: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void => {
    // A reset connection has no one to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const state = inFlight.get(socket);
    const error = asOtpdError(err.code);
    const correlator = state ? state.correlator : correlatorInRawRequest(err.rawPacket);
    const status = HTTP_STATUS[error.code];
    log.info({ status, reason: err.code, correlator }, 'client error');
    count(status);
    const surface = pick(state ? state.url : targetInRawRequest(err.rawPacket));
    if (socket.writable && !state?.responding) answerOnSocket(socket, surface, error, correlator);
    else socket.destroy();
  };
}

/**
 * Node's 'connect' listener: otpd is no proxy, so CONNECT is a 405 whose empty Allow says the
 * target allows no method (RFC 9110 §10.2.1), instead of a connection closed without an answer.
 */
export function refuseConnect(req: IncomingMessage, socket: Socket): void {
  const err = new OtpdError('METHOD_NOT_ALLOWED', 'CONNECT is not served: otpd is not a proxy.');
  answerOnSocket(socket, OTPD_SURFACE, err, validCorrelator(req.headers['x-correlator']), { allow: '' });
}
