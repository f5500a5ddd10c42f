/**
 * Operational endpoints, outside /v1.0 and without OAuth tokens (probes and scrapers have none):
 *
 *   GET /healthz   200 {"status":"ok"} while the process serves HTTP (liveness)
 *   GET /readyz    200 {"status":"ready"} when the store answers a query, else 503 {"status":"unavailable"}
 *                  (readiness; the reason goes to the service log, never to the caller: it may name the database)
 *   GET /metrics   Prometheus text format (service-metrics.ts). Tenant-free aggregates only. Open by default, like
 *                  the probes; with a metrics token configured (--metrics-token-file) it needs
 *                  `Authorization: Bearer <token>` — Prometheus' `authorization: { credentials_file: … }`.
 *
 * None of them reads a tenant's data or a secret, and none takes input beyond the token.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceMetrics } from './service-metrics.ts';

export interface ObservabilityOptions {
  readonly metrics: ServiceMetrics;
  /** Resolves when the store answers; rejects otherwise. */
  readonly ready: () => Promise<void>;
  /** When set, /metrics needs this bearer token. */
  readonly metricsToken?: string;
}

/** Compares digests so neither the token's length nor its prefix leaks through timing. */
function sameToken(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function bearerOf(request: FastifyRequest): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

export async function observabilityRoutes(app: FastifyInstance, options: ObservabilityOptions): Promise<void> {
  app.get('/healthz', async function healthz(_request, reply) {
    return reply.header('cache-control', 'no-store').send({ status: 'ok' });
  });

  app.get('/readyz', async function readyz(request, reply) {
    void reply.header('cache-control', 'no-store');
    try {
      await options.ready();
      return reply.send({ status: 'ready' });
    } catch (error) {
      request.log.warn({ err: error }, 'readiness: the store does not answer');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });

  app.get('/metrics', async function metrics(request, reply) {
    if (options.metricsToken !== undefined) {
      const token = bearerOf(request);
      if (token === undefined || !sameToken(token, options.metricsToken)) {
        return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send({ status: 'unauthorized' });
      }
    }
    const text = await options.metrics.registry.metrics();
    return reply.header('content-type', options.metrics.registry.contentType).header('cache-control', 'no-store').send(text);
  });
}
