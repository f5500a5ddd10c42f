/**
 * The HTTP edge's one error boundary. Routes and hooks throw; this turns what they threw into the response:
 * Graph's error shape on /v1.0, RFC 6749 §5.2 on the token endpoint (routes opt in with `config.errorShape`).
 *
 * Invariants:
 * - A CloudsyncError is bad input or a failing peer: its message is written for the caller and is shown
 *   (below 500 only; 5xx messages are replaced, as oidc-provider's `expose = status < 500`, unless the mapping
 *   table marks the code `expose`).
 * - Fastify's own 4xx errors (body too large, bad content type, bad JSON length) become CloudsyncErrors first,
 *   so they are mapped by the same tables.
 * - Anything else is a bug of ours: logged with the request id (pino redacts secrets) and answered with a
 *   generic 500. No stack trace, file path or internal message ever leaves the server.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CloudsyncError, isCloudsyncError } from '../errors/index.ts';
import type { ErrorCode } from '../errors/index.ts';
import { graphErrorBody, graphErrorMapping, INTERNAL_ERROR, INTERNAL_ERROR_MESSAGE } from './graph-error.ts';
import { oauthErrorBody, oauthErrorMapping } from './oauth-error.ts';

export const ERROR_SHAPES = ['graph', 'oauth'] as const;
export type ErrorShape = (typeof ERROR_SHAPES)[number];

declare module 'fastify' {
  interface FastifyContextConfig {
    errorShape?: ErrorShape;
  }
}

/** Fastify's 4xx error codes we expect from bad requests, and what they mean to us. */
const FASTIFY_CLIENT_ERRORS: Readonly<Record<string, { code: ErrorCode; message: (error: FastifyError) => string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'ERR_HTTP_PAYLOAD_TOO_LARGE', message: () => 'The request body is larger than the limit of this service.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
    message: () => 'Unsupported Content-Type; send the body as application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'ERR_HTTP_BAD_REQUEST', message: () => 'The Content-Length header does not match the body.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'ERR_HTTP_BAD_REQUEST', message: () => 'The request body is empty; send a JSON object.' },
  FST_ERR_CTP_INVALID_TYPE: { code: 'ERR_HTTP_BAD_REQUEST', message: () => 'The Content-Type header is not valid.' },
  FST_ERR_BAD_URL: { code: 'ERR_HTTP_BAD_REQUEST', message: () => 'The request URL is not valid.' },
  FST_ERR_ASYNC_CONSTRAINT: { code: 'ERR_HTTP_BAD_REQUEST', message: () => 'The request could not be routed.' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'ERR_HTTP_BAD_REQUEST', message: () => 'A path segment is too long.' },
};

function asCloudsyncError(error: unknown): CloudsyncError | undefined {
  if (isCloudsyncError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    const known = FASTIFY_CLIENT_ERRORS[code];
    if (known) return new CloudsyncError(known.code, known.message(error as FastifyError), { cause: error });
  }
  return undefined;
}

function clientRequestId(request: FastifyRequest): string | undefined {
  const value = request.headers['client-request-id'];
  return typeof value === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(value) ? value : undefined;
}

export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply, now: Date): FastifyReply {
  const shape: ErrorShape = request.routeOptions?.config?.errorShape ?? 'graph';
  const known = asCloudsyncError(error);
  if (known === undefined) {
    request.log.error({ err: error }, 'unhandled error (a bug): answered 500');
  }
  void reply.header('request-id', request.id);
  if (shape === 'oauth') {
    const mapping = known ? oauthErrorMapping(known.code) : { status: 500, error: 'server_error' as const };
    const description = known && mapping.status < 500 ? known.message : INTERNAL_ERROR_MESSAGE;
    if (mapping.error === 'invalid_client') void reply.header('www-authenticate', 'Basic realm="cloudsync", error="invalid_client"');
    return reply
      .code(mapping.status)
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8')
      .send(oauthErrorBody(mapping.error, description, request.id, now));
  }
  const mapping = known ? graphErrorMapping(known) : INTERNAL_ERROR;
  if (known && mapping.status >= 500) request.log.warn({ code: known.code, err: known }, 'service unavailable');
  const message = known && (mapping.status < 500 || mapping.expose === true) ? known.message : INTERNAL_ERROR_MESSAGE;
  if (mapping.status === 401) void reply.header('www-authenticate', 'Bearer realm="cloudsync", error="invalid_token"');
  return reply
    .code(mapping.status)
    .type('application/json; charset=utf-8')
    .send(graphErrorBody(mapping.code, message, request.id, clientRequestId(request), now));
}

export function installErrorHandling(app: FastifyInstance, clock: () => Date): void {
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply, clock()));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const segment = path.split('/').filter(Boolean).at(-1) ?? '';
    const shown = segment.length > 100 ? `${segment.slice(0, 100)}…` : segment;
    return sendError(new CloudsyncError('ERR_HTTP_NOT_FOUND', `Resource not found for the segment '${decodeSafely(shown)}'.`), request, reply, clock());
  });
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
