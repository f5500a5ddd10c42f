/**
 * 405 for a known Graph path asked with a method it does not have (`POST /v1.0/users/{id}`), instead of the
 * "segment not found" that an unknown path gets: RFC 9110 §15.5.6 ("The origin server MUST generate an Allow
 * header field in a 405 response containing a list of the target resource's currently supported methods").
 *
 * Routes are collected as they are registered (onRoute), and once every Graph route exists, each path gets a
 * small handler for the methods it lacks. Registering this plugin last is what makes "every route exists" true.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { CloudsyncError } from '../errors/index.ts';

const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const;

export function collectGraphRoutes(app: FastifyInstance, prefix: string): Map<string, Set<string>> {
  const methodsByUrl = new Map<string, Set<string>>();
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith(prefix) || route.config?.access === undefined) return;
    const methods = methodsByUrl.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    methodsByUrl.set(route.url, methods);
  });
  return methodsByUrl;
}

export async function methodNotAllowedRoutes(app: FastifyInstance, options: { readonly methodsByUrl: Map<string, Set<string>> }): Promise<void> {
  // The method is wrong whatever the body is: accept (and ignore) any content type so the answer is the 405.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));
  for (const [url, methods] of [...options.methodsByUrl]) {
    const allow = METHODS.filter((method) => methods.has(method)).join(', ');
    const missing = METHODS.filter((method) => !methods.has(method));
    if (missing.length === 0) continue;
    app.route({
      method: [...missing],
      url,
      handler: async function methodNotAllowed(request, reply) {
        void reply.header('allow', allow);
        throw new CloudsyncError('ERR_HTTP_METHOD_NOT_ALLOWED', `The method ${request.method} is not allowed on this resource; allowed: ${allow}.`);
      },
    });
  }
}
