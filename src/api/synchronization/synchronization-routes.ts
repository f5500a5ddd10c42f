/**
 * Microsoft Graph's synchronization API for Cloud Sync configurations, with Graph's shapes so Microsoft's
 * documented PowerShell/Graph sequence works unchanged:
 *
 *   POST   /applicationTemplates/{id}/instantiate {"displayName"}           → 201 {application, servicePrincipal}
 *   GET    /servicePrincipals   GET|DELETE /servicePrincipals/{id}
 *   PUT    /servicePrincipals/{id}/synchronization/secrets {"value":[…]}    → 204 (write-only; no GET exists)
 *   GET    /servicePrincipals/{id}/synchronization/jobs   POST {"templateId"} → 201 synchronizationJob
 *   GET|PATCH|DELETE …/jobs/{jobId}                                          PATCH {"schedule":{"interval":"PT10M"}}
 *   POST   …/jobs/{jobId}/start | /pause | /restart {"criteria":{"resetScope":"…"}}   → 204
 *   GET|PUT …/jobs/{jobId}/schema                                            PUT → 204
 *   GET    /servicePrincipals/{id}/synchronization/templates   GET …/templates/{templateId}/schema
 *   POST   …/jobs/{jobId}/provisionOnDemand[?dryRun=true]            → 200 stringKeyStringValuePair (provision-on-demand-route.ts)
 *
 * Beyond Graph (docs/safety.md), the deletions the accidental-delete threshold held back, and their approval:
 *   GET    …/jobs/{jobId}/pendingDeletes                     → {threshold, detectedDateTime, @odata.count, value:[…]}
 *   POST   …/jobs/{jobId}/pendingDeletes/approve {"objectIds":["CN=…"]}   → 200 {value: the approved ones}; the
 *          job runs at once and deletes them (all of them: restart with resetScope ForceDeletes, as in Graph)
 *
 * The routes hold no logic beyond reading the request: src/synchronization validates and persists.
 */
import type { FastifyInstance } from 'fastify';
import { CloudsyncError } from '../../errors/index.ts';
import { parseResetScope, pendingDeleteResource, type DeleteProtectionStore, type SynchronizationConfigurations } from '../../synchronization/index.ts';
import type { KeyPair } from '../auth/access-token.ts';
import { principalOf } from '../auth/authenticate.ts';
import { baseUrlOf } from '../base-url.ts';
import { parseJsonBody, requireObjectBody } from '../json-body.ts';
import { createAuthenticate } from '../auth/authenticate.ts';
import { provisionOnDemandRoute, type ProvisionOnDemandOptions } from './provision-on-demand-route.ts';
import { installAuditHooks } from '../audit-logs/audit-hooks.ts';
import type { DirectoryAuditLog } from '../../provisioning-logs/index.ts';

export interface SynchronizationRouteOptions {
  readonly configurations: SynchronizationConfigurations;
  readonly key: () => Promise<KeyPair>;
  readonly clock: () => Date;
  readonly publicUrl: string | undefined;
  /** Where configuration changes are audited (audit-logs/audit-hooks.ts); none when absent. */
  readonly audits?: DirectoryAuditLog;
  /** Deletions held back by the accidental-delete threshold; without it the pendingDeletes routes are not served. */
  readonly pendingDeletes?: DeleteProtectionStore;
  /** POST …/jobs/{jobId}/provisionOnDemand (provision-on-demand-route.ts); not served without it */
  readonly onDemand?: ProvisionOnDemandOptions;
}

type SpParams = { Params: { id: string } };
type JobParams = { Params: { id: string; jobId: string } };

function refuseQuery(query: unknown): void {
  for (const name of Object.keys((query ?? {}) as Record<string, unknown>)) {
    throw new CloudsyncError('ERR_ODATA_UNSUPPORTED', `The query option '${name}' is not supported on this resource.`, { path: name });
  }
}

function onlyKeys(body: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key) && !key.startsWith('@odata.')) {
      throw new CloudsyncError('ERR_SYNC_CONFIG_INVALID', `'${key}' is not a property of ${what} that can be set here; allowed: ${allowed.join(', ')}.`, { path: key });
    }
  }
}

export async function synchronizationRoutes(app: FastifyInstance, options: SynchronizationRouteOptions): Promise<void> {
  const { configurations } = options;
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addHook('onRequest', createAuthenticate(options));
  if (options.audits !== undefined) installAuditHooks(app, { configurations, audits: options.audits, clock: options.clock });

  // The access levels and the roles they need are in auth/access-policy.ts, shared with every Graph route.
  const sync = { config: { access: 'synchronization' as const } };
  const appRead = { config: { access: 'applicationRead' as const } };
  const appWrite = { config: { access: 'applicationWrite' as const } };
  const tenant = (request: Parameters<typeof principalOf>[0]) => principalOf(request).tenantId;
  const context = (request: Parameters<typeof principalOf>[0], fragment: string) => `${baseUrlOf(request, options.publicUrl)}/v1.0/$metadata#${fragment}`;

  app.post<SpParams>('/applicationTemplates/:id/instantiate', appWrite, async function instantiate(request, reply) {
    refuseQuery(request.query);
    const body = requireObjectBody(request.body);
    onlyKeys(body, ['displayName'], 'the instantiate action');
    const created = await configurations.instantiate(tenant(request), request.params.id, body['displayName'] as string);
    return reply.code(201).send({ '@odata.context': context(request, 'microsoft.graph.applicationServicePrincipal'), ...created });
  });

  app.get('/servicePrincipals', appRead, async function listServicePrincipals(request) {
    refuseQuery(request.query);
    return { '@odata.context': context(request, 'servicePrincipals'), value: await configurations.listServicePrincipals(tenant(request)) };
  });

  app.get<SpParams>('/servicePrincipals/:id', appRead, async function getServicePrincipal(request) {
    refuseQuery(request.query);
    return { '@odata.context': context(request, 'servicePrincipals/$entity'), ...(await configurations.getServicePrincipal(tenant(request), request.params.id)) };
  });

  app.delete<SpParams>('/servicePrincipals/:id', appWrite, async function deleteServicePrincipal(request, reply) {
    await configurations.deleteServicePrincipal(tenant(request), request.params.id);
    return reply.code(204).send();
  });

  app.put<SpParams>('/servicePrincipals/:id/synchronization/secrets', sync, async function putSecrets(request, reply) {
    await configurations.putSecrets(tenant(request), request.params.id, requireObjectBody(request.body));
    return reply.code(204).send();
  });

  app.get<SpParams>('/servicePrincipals/:id/synchronization/jobs', sync, async function listJobs(request) {
    refuseQuery(request.query);
    const jobs = await configurations.listJobs(tenant(request), request.params.id);
    return { '@odata.context': context(request, `servicePrincipals('${request.params.id}')/synchronization/jobs`), value: jobs };
  });

  app.post<SpParams>('/servicePrincipals/:id/synchronization/jobs', sync, async function createJob(request, reply) {
    const body = requireObjectBody(request.body);
    onlyKeys(body, ['templateId'], 'synchronizationJob');
    const job = await configurations.createJob(tenant(request), request.params.id, body['templateId']);
    return reply.code(201).send({ '@odata.context': context(request, `servicePrincipals('${request.params.id}')/synchronization/jobs/$entity`), ...job });
  });

  app.get<JobParams>('/servicePrincipals/:id/synchronization/jobs/:jobId', sync, async function getJob(request) {
    refuseQuery(request.query);
    const job = await configurations.getJob(tenant(request), request.params.id, request.params.jobId);
    return { '@odata.context': context(request, `servicePrincipals('${request.params.id}')/synchronization/jobs/$entity`), ...job };
  });

  app.patch<JobParams>('/servicePrincipals/:id/synchronization/jobs/:jobId', sync, async function updateJob(request, reply) {
    const body = requireObjectBody(request.body);
    onlyKeys(body, ['schedule'], 'synchronizationJob');
    const schedule = body['schedule'];
    if (schedule === null || typeof schedule !== 'object' || Array.isArray(schedule)) {
      throw new CloudsyncError('ERR_SYNC_CONFIG_INVALID', "'schedule' must be an object such as {\"interval\":\"PT10M\"}.", { path: 'schedule' });
    }
    const patch = schedule as Record<string, unknown>;
    for (const key of Object.keys(patch)) {
      if (key !== 'interval' && key !== 'expiration') {
        throw new CloudsyncError('ERR_SYNC_CONFIG_INVALID',
          key === 'state' ? "schedule.state is changed with POST …/start and …/pause, not PATCH." : `schedule.${key} is not a property of synchronizationSchedule that can be set; allowed: interval, expiration.`,
          { path: `schedule.${key}` });
      }
    }
    await configurations.updateSchedule(tenant(request), request.params.id, request.params.jobId, { interval: patch['interval'], expiration: patch['expiration'] });
    return reply.code(204).send();
  });

  app.delete<JobParams & { Querystring: Record<string, string | undefined> }>('/servicePrincipals/:id/synchronization/jobs/:jobId', sync, async function deleteJob(request, reply) {
    // cloudsync's extension (Graph has no such option): removeObjects=true soft-deletes the job's synchronized
    // objects before the job goes (cloudsync config delete --remove-objects).
    const { removeObjects, ...others } = request.query ?? {};
    refuseQuery(others);
    if (removeObjects !== undefined && removeObjects !== 'true' && removeObjects !== 'false') {
      throw new CloudsyncError('ERR_SYNC_CONFIG_INVALID', `removeObjects must be true or false, not '${removeObjects}'.`, { path: 'removeObjects' });
    }
    await configurations.deleteJob(tenant(request), request.params.id, request.params.jobId, { removeObjects: removeObjects === 'true' });
    return reply.code(204).send();
  });

  app.post<JobParams>('/servicePrincipals/:id/synchronization/jobs/:jobId/start', sync, async function startJob(request, reply) {
    await configurations.startJob(tenant(request), request.params.id, request.params.jobId);
    return reply.code(204).send();
  });

  app.post<JobParams>('/servicePrincipals/:id/synchronization/jobs/:jobId/pause', sync, async function pauseJob(request, reply) {
    await configurations.pauseJob(tenant(request), request.params.id, request.params.jobId);
    return reply.code(204).send();
  });

  app.post<JobParams>('/servicePrincipals/:id/synchronization/jobs/:jobId/restart', sync, async function restartJob(request, reply) {
    const body = request.body === undefined ? {} : requireObjectBody(request.body);
    onlyKeys(body, ['criteria'], 'the restart action');
    const criteria = body['criteria'];
    if (criteria !== undefined && criteria !== null && (typeof criteria !== 'object' || Array.isArray(criteria))) {
      throw new CloudsyncError('ERR_SYNC_CONFIG_INVALID', "'criteria' must be an object such as {\"resetScope\":\"Watermark, Escrows, QuarantineState\"}.", { path: 'criteria' });
    }
    const resetScope = parseResetScope((criteria as { resetScope?: unknown } | null | undefined)?.resetScope);
    await configurations.restartJob(tenant(request), request.params.id, request.params.jobId, resetScope);
    return reply.code(204).send();
  });

  app.get<JobParams>('/servicePrincipals/:id/synchronization/jobs/:jobId/schema', sync, async function getSchema(request) {
    refuseQuery(request.query);
    const schema = await configurations.getSchema(tenant(request), request.params.id, request.params.jobId);
    return { '@odata.context': context(request, `servicePrincipals('${request.params.id}')/synchronization/jobs('${request.params.jobId}')/schema/$entity`), ...schema };
  });

  app.get<SpParams>('/servicePrincipals/:id/synchronization/templates', sync, async function listTemplates(request) {
    refuseQuery(request.query);
    const templates = await configurations.listTemplates(tenant(request), request.params.id);
    return { '@odata.context': context(request, `servicePrincipals('${request.params.id}')/synchronization/templates`), value: templates };
  });

  app.get<{ Params: { id: string; templateId: string } }>('/servicePrincipals/:id/synchronization/templates/:templateId/schema', sync, async function getTemplateSchema(request) {
    refuseQuery(request.query);
    const schema = await configurations.getTemplateSchema(tenant(request), request.params.id, request.params.templateId);
    return { '@odata.context': context(request, `servicePrincipals('${request.params.id}')/synchronization/templates('${request.params.templateId}')/schema/$entity`), ...schema };
  });

  app.put<JobParams>('/servicePrincipals/:id/synchronization/jobs/:jobId/schema', sync, async function putSchema(request, reply) {
    await configurations.putSchema(tenant(request), request.params.id, request.params.jobId, requireObjectBody(request.body));
    return reply.code(204).send();
  });

  if (options.onDemand !== undefined) provisionOnDemandRoute(app, options.onDemand, options.clock, options.publicUrl);

  const pendingDeletes = options.pendingDeletes;
  if (pendingDeletes === undefined) return;

  app.get<JobParams>('/servicePrincipals/:id/synchronization/jobs/:jobId/pendingDeletes', sync, async function listPendingDeletes(request) {
    refuseQuery(request.query);
    const { id, jobId } = request.params;
    await configurations.getJob(tenant(request), id, jobId); // tenant confinement: an unknown job is 404
    const held = await pendingDeletes.read(tenant(request), jobId);
    const value = held === undefined ? [] : held.deletions.map((deletion) => pendingDeleteResource(deletion, held.approved.has(deletion.anchor), held.detectedDateTime));
    return {
      '@odata.context': context(request, `servicePrincipals('${id}')/synchronization/jobs('${jobId}')/pendingDeletes`),
      '@odata.count': value.length,
      threshold: held?.threshold ?? null,
      detectedDateTime: held?.detectedDateTime ?? null,
      value,
    };
  });

  app.post<JobParams>('/servicePrincipals/:id/synchronization/jobs/:jobId/pendingDeletes/approve', sync, async function approvePendingDeletes(request) {
    const body = requireObjectBody(request.body);
    onlyKeys(body, ['objectIds'], 'the approve action');
    const { id, jobId } = request.params;
    await configurations.getJob(tenant(request), id, jobId);
    const approved = await pendingDeletes.approve(tenant(request), jobId, body['objectIds'], options.clock());
    // A restart that resets nothing: the job runs now and its quarantine (TooManyDeletes) stays until the cycle ends
    // with nothing held back. The approved anchors go to the engine from the store.
    await configurations.restartJob(tenant(request), id, jobId, ['None']);
    const held = await pendingDeletes.read(tenant(request), jobId);
    return { value: approved.map((deletion) => pendingDeleteResource(deletion, true, held?.detectedDateTime ?? options.clock().toISOString())) };
  });
}
