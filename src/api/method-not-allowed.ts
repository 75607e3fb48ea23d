import { METHODS } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { OtpdError } from '../core/errors.ts';

/**
 * Every method Node's parser accepts; CONNECT never reaches routing (Node hands the socket to a
 * 'connect' listener, or closes it). Fastify routes only the common ones unless told of the rest.
 */
const ROUTABLE = METHODS.filter((m) => m !== 'CONNECT');

/**
 * 405 with `Allow` on every registered path, for every method it does not serve (TRACE, QUERY and
 * the WebDAV ones included), in the API's error body; a path no route serves stays 404. Call it
 * before any route is registered; call the returned function once all of them are.
 */
export function answerOtherMethods(app: FastifyInstance): () => void {
  for (const m of ROUTABLE) {
    if (!app.supportedMethods.includes(m)) app.addHttpMethod(m);
  }
  const paths = new Set<string>();
  let sealed = false;
  app.addHook('onRoute', (r) => {
    if (sealed) return;
    paths.add(r.url);
    // Under a prefix, '/' is also registered as prefix + '/' without an onRoute of its own.
    if (r.prefix && r.routePath === '') paths.add(`${r.prefix}/`);
  });
  return () => {
    sealed = true;
    for (const url of paths) {
      const served = ROUTABLE.filter((method) => app.hasRoute({ method, url }));
      const others = ROUTABLE.filter((m) => !served.includes(m));
      if (served.length === 0 || others.length === 0) continue;
      const allow = served.join(', ');
      app.route({
        method: others,
        url,
        schema: { hide: true },
        // onRequest, before the body is read: a wrong method is a 405 whatever the body's type or size.
        onRequest: async (_req, reply) => {
          void reply.header('allow', allow);
          throw new OtpdError('METHOD_NOT_ALLOWED');
        },
        handler: async () => {
          throw new OtpdError('METHOD_NOT_ALLOWED');
        },
      });
    }
  };
}
