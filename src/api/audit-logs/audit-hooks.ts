/**
 * The audit of configuration changes made through the synchronization API: one directoryAudit per call that
 * changes a configuration, with who (the calling application's client id, from its token), what (the activity
 * and the target service principal or job), when, and the changed properties before → after.
 *
 * Hooks rather than code in every route: a route's audit is looked up by its method and URL pattern, `preHandler`
 * reads the target's state before the route runs (after authentication and body parsing), and `onSend` reads it
 * again once the route has answered and records the entry, successful or refused (a refused change is worth
 * auditing too: who tried what). The entry is written before the answer leaves, so a client that saw its change
 * succeed can find it in the log.
 *
 * Secrets: the secrets PUT records only which keys were set, every value as "[Redacted]"; before/after values
 * pass through redactSecrets; a refused secrets PUT records the error code without its message (a message may
 * quote the value it refused).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SynchronizationConfigurations, SynchronizationJob } from '../../synchronization/index.ts';
import {
  AUDIT_CATEGORY,
  AUDIT_LOGGED_BY,
  REDACTED,
  failureReason,
  modifiedProperties,
  timeOrderedId,
  type AuditActivity,
  type AuditedState,
  type AuditOperationType,
  type DirectoryAudit,
  type DirectoryAuditLog,
} from '../../provisioning-logs/index.ts';
import { principalOf } from '../auth/authenticate.ts';

interface AuditContext {
  readonly configurations: SynchronizationConfigurations;
  readonly tenantId: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
}

interface AuditedRoute {
  readonly activity: AuditActivity;
  readonly operationType: AuditOperationType;
  readonly targetType: 'ServicePrincipal' | 'SynchronizationJob';
  /** The state the change is about, read before and after it (not after a delete). */
  readonly read?: (context: AuditContext) => Promise<AuditedState>;
  /** What the request asked for, shown even when no stored value changed. */
  readonly requested?: (context: AuditContext) => AuditedState;
  /** The created resource, from the 2xx response body (instantiate, job creation). */
  readonly created?: (response: Record<string, unknown>) => { readonly id: string; readonly displayName: string | null; readonly state: AuditedState };
  /** A refusal message may quote the input (secrets): record the code only. */
  readonly echoesInput?: boolean;
}

const SP = '/v1.0/servicePrincipals/:id';
const JOB = `${SP}/synchronization/jobs/:jobId`;

function jobState(job: SynchronizationJob): AuditedState {
  return {
    templateId: job.templateId,
    'schedule.state': job.schedule.state,
    'schedule.interval': job.schedule.interval,
    'schedule.expiration': job.schedule.expiration,
    'status.code': job.status.code,
  };
}

const readJob = async ({ configurations, tenantId, params }: AuditContext) => jobState(await configurations.getJob(tenantId, params['id']!, params['jobId']!));

async function readPrincipal({ configurations, tenantId, params }: AuditContext): Promise<AuditedState> {
  const principal = await configurations.getServicePrincipal(tenantId, params['id']!);
  const jobs = await configurations.listJobs(tenantId, params['id']!);
  return { displayName: principal.displayName, appId: principal.appId, jobs: jobs.map((job) => job.id) };
}

const objectOf = (value: unknown): Record<string, unknown> => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** Audited routes by `METHOD url-pattern`; every route changing a configuration has a row. */
export const AUDITED_ROUTES: Readonly<Record<string, AuditedRoute>> = Object.freeze({
  'POST /v1.0/applicationTemplates/:id/instantiate': {
    activity: 'Add service principal',
    operationType: 'Add',
    targetType: 'ServicePrincipal',
    created: (response) => {
      const principal = objectOf(response['servicePrincipal']);
      return {
        id: String(principal['id']),
        displayName: typeof principal['displayName'] === 'string' ? principal['displayName'] : null,
        state: { displayName: principal['displayName'], appId: principal['appId'], applicationTemplateId: principal['applicationTemplateId'] },
      };
    },
  },
  [`DELETE ${SP}`]: { activity: 'Remove service principal', operationType: 'Delete', targetType: 'ServicePrincipal', read: readPrincipal },
  [`PUT ${SP}/synchronization/secrets`]: {
    activity: 'Update provisioning setting or credentials',
    operationType: 'Update',
    targetType: 'ServicePrincipal',
    // Only the key names: Graph's secrets are write-only, and so is their audit.
    requested: ({ body }) => {
      const value = objectOf(body)['value'];
      const keys = Array.isArray(value) ? value.map((item) => String(objectOf(item)['key'])) : [];
      return Object.fromEntries(keys.map((key) => [`secrets.${key}`, REDACTED]));
    },
    echoesInput: true,
  },
  [`POST ${SP}/synchronization/jobs`]: {
    activity: 'Add provisioning configuration',
    operationType: 'Add',
    targetType: 'SynchronizationJob',
    created: (response) => ({ id: String(response['id']), displayName: String(response['templateId']), state: jobState(response as unknown as SynchronizationJob) }),
  },
  [`DELETE ${JOB}`]: {
    activity: 'Delete provisioning configuration',
    operationType: 'Delete',
    targetType: 'SynchronizationJob',
    read: readJob,
    // cloudsync's removeObjects=true also soft-deletes what the job synchronized: worth seeing in the audit.
    requested: ({ query }) => (query['removeObjects'] === undefined ? {} : { removeObjects: query['removeObjects'] }),
  },
  [`PATCH ${JOB}`]: { activity: 'Update provisioning schedule', operationType: 'Update', targetType: 'SynchronizationJob', read: readJob },
  [`POST ${JOB}/start`]: { activity: 'Start provisioning', operationType: 'Update', targetType: 'SynchronizationJob', read: readJob },
  [`POST ${JOB}/pause`]: { activity: 'Pause provisioning', operationType: 'Update', targetType: 'SynchronizationJob', read: readJob },
  [`POST ${JOB}/restart`]: {
    activity: 'Restart provisioning',
    operationType: 'Update',
    targetType: 'SynchronizationJob',
    read: readJob,
    requested: ({ body }) => ({ 'criteria.resetScope': objectOf(objectOf(body)['criteria'])['resetScope'] ?? 'Full' }),
  },
  [`POST ${JOB}/pendingDeletes/approve`]: {
    activity: 'Approve pending deletions',
    operationType: 'Update',
    targetType: 'SynchronizationJob',
    read: readJob,
    requested: ({ body }) => ({ objectIds: objectOf(body)['objectIds'] }),
  },
  [`PUT ${JOB}/schema`]: {
    activity: 'Update attribute mappings or scope',
    operationType: 'Update',
    targetType: 'SynchronizationJob',
    read: async ({ configurations, tenantId, params }) => ({ schema: await configurations.getSchema(tenantId, params['id']!, params['jobId']!) }),
  },
});

interface PendingAudit {
  readonly route: AuditedRoute;
  readonly context: AuditContext;
  readonly before: AuditedState | undefined;
}

const PENDING = Symbol('pending audit');
type AuditedRequest = FastifyRequest & { [PENDING]?: PendingAudit };

export interface AuditHookOptions {
  readonly configurations: SynchronizationConfigurations;
  readonly audits: DirectoryAuditLog;
  readonly clock: () => Date;
}

export function installAuditHooks(app: FastifyInstance, options: AuditHookOptions): void {
  const routeOf = (request: FastifyRequest) => AUDITED_ROUTES[`${request.method} ${request.routeOptions.url ?? ''}`];

  app.addHook('preHandler', async (request: AuditedRequest) => {
    const route = routeOf(request);
    if (route === undefined) return;
    const context: AuditContext = {
      configurations: options.configurations,
      tenantId: principalOf(request).tenantId,
      params: request.params as Record<string, string>,
      query: objectOf(request.query),
      body: request.body,
    };
    // A target that does not exist has no "before"; the route itself answers 404, which is audited as refused.
    const before = route.read === undefined ? undefined : await route.read(context).catch(() => undefined);
    request[PENDING] = { route, context, before };
  });

  app.addHook('onSend', async (request: AuditedRequest, reply: FastifyReply, payload: unknown) => {
    const pending = request[PENDING];
    if (pending === undefined) return payload;
    request[PENDING] = undefined;
    try {
      await options.audits.record(pending.context.tenantId, await auditOf(request, reply, payload, pending, options.clock()));
    } catch (error) {
      request.log.error({ err: error, activity: pending.route.activity }, 'audit: could not record a configuration change');
    }
    return payload;
  });
}

function parsePayload(payload: unknown): Record<string, unknown> {
  if (typeof payload !== 'string' || payload === '') return {};
  try {
    return objectOf(JSON.parse(payload));
  } catch {
    return {};
  }
}

async function auditOf(request: FastifyRequest, reply: FastifyReply, payload: unknown, pending: PendingAudit, now: Date): Promise<DirectoryAudit> {
  const { route, context, before } = pending;
  const succeeded = reply.statusCode < 400;
  const response = parsePayload(payload);
  const created = succeeded && route.created !== undefined ? route.created(response) : undefined;
  const requested = route.requested?.(context);
  // A refused change changed nothing: only what was asked is shown. A delete has no after.
  const after = !succeeded || created !== undefined || route.operationType === 'Delete' || route.read === undefined
    ? created?.state
    : await route.read(context).catch(() => undefined);
  const targetId = created?.id ?? (route.targetType === 'SynchronizationJob' ? context.params['jobId'] : context.params['id']) ?? '';
  const error = objectOf(response['error']);
  const principal = principalOf(request);
  return {
    id: timeOrderedId(),
    category: AUDIT_CATEGORY,
    correlationId: request.id,
    activityDateTime: now.toISOString(),
    activityDisplayName: route.activity,
    loggedByService: AUDIT_LOGGED_BY,
    operationType: route.operationType,
    result: succeeded ? 'success' : 'failure',
    resultReason: succeeded
      ? ''
      : failureReason(typeof error['code'] === 'string' ? error['code'] : `HTTP ${reply.statusCode}`, typeof error['message'] === 'string' ? error['message'] : undefined, route.echoesInput === true),
    initiatedBy: { app: { appId: principal.clientId, displayName: null, servicePrincipalId: null, servicePrincipalName: null }, user: null },
    targetResources: [
      {
        id: targetId,
        displayName: created?.displayName ?? (typeof before?.['displayName'] === 'string' ? before['displayName'] : null),
        type: route.targetType,
        userPrincipalName: null,
        groupType: null,
        modifiedProperties: succeeded ? modifiedProperties(before, after, requested) : modifiedProperties(undefined, undefined, requested),
      },
    ],
    additionalDetails: [
      ...(context.params['id'] === undefined || route.targetType === 'ServicePrincipal' ? [] : [{ key: 'servicePrincipalId', value: context.params['id'] }]),
      { key: 'request', value: `${request.method} ${request.url.split('?')[0]}` },
    ],
  };
}
