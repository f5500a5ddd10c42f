/**
 * The HTTP API as a Fastify instance, not listening: the composition root (src/server) calls `listen`, tests
 * call `inject()` or listen on 127.0.0.1. Everything stateful comes in through ApiDeps.
 *
 * Layout:
 *   POST /{tenantId}/oauth2/v2.0/token     OAuth 2.0 client credentials (form body, RFC 6749 errors)
 *   /v1.0/…                                Microsoft Graph v1.0-compatible routes (JSON bodies, Graph errors)
 *   GET /healthz, /readyz, /metrics        probes and Prometheus metrics, without OAuth (src/observability)
 *
 * Each scope registers its own body parser (Fastify encapsulates content-type parsers per plugin), so the
 * token endpoint takes only forms and Graph routes take only JSON; anything else is a 415 before any route runs.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { ApiDeps } from './api-deps.ts';
import { DEFAULT_BODY_LIMIT, REDACTED_LOG_PATHS } from './api-deps.ts';
import { importSigningKey, type KeyPair } from './auth/access-token.ts';
import { createAuthenticate } from './auth/authenticate.ts';
import { tokenRoutes } from './auth/token-route.ts';
import { installErrorHandling, sendError } from './error-handler.ts';
import { parseJsonBody } from './json-body.ts';
import { collectGraphRoutes, methodNotAllowedRoutes } from './method-not-allowed.ts';
import { deletedItemsRoutes } from './graph/deleted-items-routes.ts';
import { deltaRoutes } from './graph/delta-routes.ts';
import { directoryRoutes } from './graph/directory-routes.ts';
import { membershipRoutes } from './graph/membership-routes.ts';
import { registerEntitySet } from './graph/object-collection-routes.ts';
import type { GraphRouteOptions } from './graph/graph-route-options.ts';
import { synchronizationRoutes } from './synchronization/synchronization-routes.ts';
import { agentRoutes } from './agents/agent-routes.ts';
import { agentChannelRoutes } from './agents/agent-channel-routes.ts';
import { CHANNEL_PREFIX } from '../agent-channel/channel-protocol.ts';
import { auditLogRoutes } from './audit-logs/audit-log-routes.ts';
import { observabilityRoutes } from '../observability/index.ts';

export function buildApp(deps: ApiDeps): FastifyInstance {
  const clock = deps.clock ?? (() => new Date());
  const logger = deps.logger ?? pino({ level: 'warn', redact: { paths: [...REDACTED_LOG_PATHS], censor: '[Redacted]' } });
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // A client has 30 s to send a whole request (Fastify's default is unlimited, which invites slow-loris).
    requestTimeout: 30_000,
    // Graph accepts `/v1.0/users/`; so do we. Path segments may be userPrincipalNames (up to 113 characters) or
    // names of domains (up to 255), longer than the router's default limit of 100.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    // Errors the router raises before any route or hook (an undecodable URL, an overlong segment) would otherwise
    // be answered in Fastify's own shape; send them through the same boundary.
    frameworkErrors: (error, request, reply) => sendError(error, request, reply, clock()),
    ...(deps.https === undefined ? {} : { https: { key: deps.https.key, cert: deps.https.cert } }),
  }) as unknown as FastifyInstance;

  let keyPair: Promise<KeyPair> | undefined;
  const key = (): Promise<KeyPair> => (keyPair ??= importSigningKey(deps.signingKey));

  app.decorateRequest('principal', null);
  app.removeAllContentTypeParsers();
  installErrorHandling(app, clock);
  app.addHook('onSend', async (request, reply) => {
    void reply.header('request-id', request.id);
    const clientRequestId = request.headers['client-request-id'];
    if (typeof clientRequestId === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(clientRequestId)) void reply.header('client-request-id', clientRequestId);
  });

  void app.register(tokenRoutes, {
    credentials: deps.credentials ?? deps.directory,
    key,
    clock,
    publicUrl: deps.publicUrl,
  });

  const methodsByUrl = collectGraphRoutes(app, '/v1.0/');
  const graphOptions: GraphRouteOptions = { directory: deps.directory, publicUrl: deps.publicUrl, domainProof: deps.domainProof };
  void app.register(
    async function graphApi(graph) {
      graph.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
        try {
          done(null, parseJsonBody(body as string));
        } catch (error) {
          done(error as Error, undefined);
        }
      });
      graph.addHook('onRequest', createAuthenticate({ key, clock, publicUrl: deps.publicUrl }));
      // Order matters only for readability: Fastify prefers static segments (/users/delta) over parameters.
      await graph.register(deltaRoutes, graphOptions);
      await graph.register(async (scope) => {
        registerEntitySet(scope, graphOptions, { set: 'users', type: 'user', orderable: ['displayName', 'userPrincipalName'] });
        registerEntitySet(scope, graphOptions, { set: 'groups', type: 'group', orderable: ['displayName'] });
        registerEntitySet(scope, graphOptions, { set: 'contacts', type: 'orgContact', orderable: ['displayName'] });
        registerEntitySet(scope, graphOptions, { set: 'applications', type: 'application', orderable: ['displayName'] });
      });
      await graph.register(membershipRoutes, graphOptions);
      await graph.register(deletedItemsRoutes, graphOptions);
      await graph.register(directoryRoutes, graphOptions);
      if (deps.auditLogs !== undefined) await graph.register(auditLogRoutes, { logs: deps.auditLogs, publicUrl: deps.publicUrl });
    },
    { prefix: '/v1.0' },
  );
  if (deps.synchronization !== undefined) {
    void app.register(synchronizationRoutes, {
      prefix: '/v1.0', configurations: deps.synchronization, key, clock, publicUrl: deps.publicUrl,
      ...(deps.pendingDeletes === undefined ? {} : { pendingDeletes: deps.pendingDeletes }),
      ...(deps.onDemand === undefined ? {} : { onDemand: deps.onDemand }),
      ...(deps.auditLogs === undefined ? {} : { audits: deps.auditLogs.directoryAudits }),
    });
  }
  if (deps.agents !== undefined) {
    const { store, hub, registrationTokenLifetimeSeconds, messageLimit, onChanges } = deps.agents;
    void app.register(agentRoutes, { prefix: '/v1.0', agents: store, hub, registrationTokenLifetimeSeconds, key, clock, publicUrl: deps.publicUrl });
    void app.register(agentChannelRoutes, { prefix: CHANNEL_PREFIX, agents: store, hub, messageLimit, clock, ...(onChanges === undefined ? {} : { onChanges }) });
  }
  if (deps.observability !== undefined) void app.register(observabilityRoutes, deps.observability);
  // Last, so that every Graph route is known.
  void app.register(methodNotAllowedRoutes, { methodsByUrl });
  return app;
}
