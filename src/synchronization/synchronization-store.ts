/**
 * Configurations in the store: the SQL implementation of both the API's view (SynchronizationConfigurations)
 * and the engine's port (engine-port.ts), on SQLite and PostgreSQL alike.
 *
 * Invariants:
 * - Everything is confined to the tenant passed in; an id of another tenant is "not found", never "forbidden".
 * - A job row is changed only by `#updateJob`, which writes the version it read (optimistic concurrency, no
 *   locks held across statements, identical on both backends) and retries on a lost race.
 * - instantiate spans the directory (the application) and this module (the service principal); the directory has
 *   its own transaction, so a failure after the application exists deletes it again: nothing half-written.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CloudDirectory, DirectoryObject } from '../directory/index.ts';
import { CloudsyncError } from '../errors/index.ts';
import { getTemplate, parseSynchronizationSchema, TEMPLATE_IDS, toGraphJson, type SynchronizationSchema, type TemplateId } from '../schema/index.ts';
import type { Store } from '../storage/index.ts';
import { SqlConnectorSpace } from '../engine/index.ts';
import { connectorSpaceIdOf } from './scheduler.ts';
import { removeSynchronizedObjects, type RemovalReport } from './synchronized-objects-removal.ts';
import type { ExecutionRecord, JobSnapshot, RunnableJob, SynchronizationEnginePort } from './engine-port.ts';
import { DEFAULT_INTERVAL, parseInterval } from './iso-duration.ts';
import type { ResetScope } from './reset-scope.ts';
import {
  initialStatus,
  NO_REQUESTS,
  transitionJob,
  type JobState,
  type JobTransition,
  type PendingRequests,
  type ScheduleState,
  type SynchronizationJob,
  type SynchronizationProgress,
  type SynchronizationSchedule,
  type SynchronizationStatus,
} from './synchronization-job.ts';
import { openSecrets, parseSecretsBody, sealSecrets, secretFacts, type Secrets } from './synchronization-secrets.ts';
import { acknowledgeRequests, nextRequests, requestsAskedBy, requestsOf, requestSerialOf } from './pending-requests.ts';
import type { SyncJobsTable, SyncServicePrincipalsTable, SynchronizationDatabase } from './synchronization-tables.ts';

/** Entra's gallery id of "On-premises provisioning / AD to Azure AD sync" used by Cloud Sync's Graph setup. */
export const CLOUD_SYNC_APPLICATION_TEMPLATE_ID = '1a4721b3-e57f-4451-ae87-ef078703ec94';
export const APPLICATION_TEMPLATE_IDS = [CLOUD_SYNC_APPLICATION_TEMPLATE_ID] as const;

export interface ServicePrincipal {
  readonly id: string;
  readonly appId: string;
  readonly appDisplayName: string;
  readonly displayName: string;
  readonly accountEnabled: boolean;
  readonly applicationTemplateId: string;
  readonly appOwnerOrganizationId: string;
  readonly servicePrincipalNames: readonly string[];
  readonly servicePrincipalType: 'Application';
  readonly signInAudience: string;
  readonly tags: readonly string[];
}

export interface InstantiatedApplication {
  readonly application: DirectoryObject & { readonly applicationTemplateId: string };
  readonly servicePrincipal: ServicePrincipal;
}

export interface SynchronizationTemplate {
  readonly id: string;
  readonly applicationId: string;
  readonly default: boolean;
  readonly description: string;
  readonly discoverable: boolean;
  readonly factoryTag: string;
  readonly metadata: readonly { readonly key: string; readonly value: string }[];
}

const TEMPLATE_DESCRIPTIONS: Readonly<Record<TemplateId, string>> = {
  AD2AADProvisioning: 'Active Directory users, groups and contacts to the cloud directory (Cloud Sync).',
  AAD2ADGroupProvisioning: 'Cloud security groups to Active Directory (group writeback).',
  LDAP2AADProvisioning: 'Generic LDAP (inetOrgPerson, groupOfNames) to the cloud directory.',
};

export interface SchedulePatch {
  readonly interval?: unknown;
  readonly expiration?: unknown;
}

/** What the Graph routes need. Every method is tenant-confined; unknown ids are ERR_SYNC_CONFIG_NOT_FOUND. */
export interface SynchronizationConfigurations {
  instantiate(tenantId: string, applicationTemplateId: string, displayName: string): Promise<InstantiatedApplication>;
  listServicePrincipals(tenantId: string): Promise<readonly ServicePrincipal[]>;
  getServicePrincipal(tenantId: string, servicePrincipalId: string): Promise<ServicePrincipal>;
  /** Removes the principal, its secrets and its jobs with their connector spaces (the application stays, as in Graph). */
  deleteServicePrincipal(tenantId: string, servicePrincipalId: string): Promise<void>;
  putSecrets(tenantId: string, servicePrincipalId: string, body: unknown): Promise<void>;
  createJob(tenantId: string, servicePrincipalId: string, templateId: unknown): Promise<SynchronizationJob>;
  listJobs(tenantId: string, servicePrincipalId: string): Promise<readonly SynchronizationJob[]>;
  getJob(tenantId: string, servicePrincipalId: string, jobId: string): Promise<SynchronizationJob>;
  /**
   * Removes the job and its connector space. With removeObjects, first soft-deletes every cloud object the
   * connector space records (synchronized-objects-removal.ts); without it the objects stay, as in Entra.
   */
  deleteJob(tenantId: string, servicePrincipalId: string, jobId: string, options?: { readonly removeObjects?: boolean }): Promise<RemovalReport | undefined>;
  startJob(tenantId: string, servicePrincipalId: string, jobId: string): Promise<SynchronizationJob>;
  pauseJob(tenantId: string, servicePrincipalId: string, jobId: string): Promise<SynchronizationJob>;
  restartJob(tenantId: string, servicePrincipalId: string, jobId: string, resetScope: readonly ResetScope[]): Promise<SynchronizationJob>;
  updateSchedule(tenantId: string, servicePrincipalId: string, jobId: string, patch: SchedulePatch): Promise<SynchronizationJob>;
  getSchema(tenantId: string, servicePrincipalId: string, jobId: string): Promise<Record<string, unknown>>;
  /** Graph's synchronizationTemplate list of the principal (without schemas, as Graph lists them). */
  listTemplates(tenantId: string, servicePrincipalId: string): Promise<readonly SynchronizationTemplate[]>;
  getTemplateSchema(tenantId: string, servicePrincipalId: string, templateId: string): Promise<Record<string, unknown>>;
  /** Validates (src/schema), stores the Graph JSON and asks the engine for a full re-evaluation. */
  putSchema(tenantId: string, servicePrincipalId: string, jobId: string, json: unknown): Promise<void>;
}

export interface SynchronizationStoreOptions {
  /** 32 bytes sealing the secrets at rest (deriveSecretsKey). */
  readonly secretsKey: Uint8Array;
  /** Default `() => new Date()`. */
  readonly clock?: () => Date;
  /** schedule.interval of new jobs (ISO 8601, ≥ PT10S). Default PT2M. */
  readonly defaultInterval?: string;
}

export type SynchronizationStore = SynchronizationConfigurations & SynchronizationEnginePort;

const MAX_RETRIES = 8;

function notFound(what: string, id: string): CloudsyncError {
  return new CloudsyncError('ERR_SYNC_CONFIG_NOT_FOUND', `Resource '${id}' does not exist or one of its queried reference-property objects are not present (${what}).`, {
    details: { id },
  });
}

function isUniqueViolation(error: unknown, index: string, column: string): boolean {
  const e = error as { code?: string; constraint?: string; message?: string } | null;
  if (e?.code === '23505') return (e.constraint ?? e.message ?? '').includes(index);
  return e?.code === 'ERR_SQLITE_ERROR' && /UNIQUE constraint failed/.test(e.message ?? '') && (e.message ?? '').includes(column);
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function createSynchronizationStore(store: Store, directory: CloudDirectory, options: SynchronizationStoreOptions): SynchronizationStore {
  if (!(options.secretsKey instanceof Uint8Array) || options.secretsKey.length !== 32) throw new TypeError('secretsKey must be 32 bytes');
  const db = store.db as unknown as Kysely<SynchronizationDatabase>;
  const clock = options.clock ?? (() => new Date());
  const defaultInterval = options.defaultInterval ?? DEFAULT_INTERVAL;
  const defaultIntervalSeconds = parseInterval(defaultInterval, 'defaultInterval');
  const key = options.secretsKey;
  const sealContext = (tenantId: string, servicePrincipalId: string) => `${tenantId}/${servicePrincipalId}`;

  async function principalRow(tenantId: string, id: string): Promise<SyncServicePrincipalsTable> {
    const row = await db.selectFrom('sync_service_principals').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw notFound('servicePrincipal', id);
    return row;
  }

  async function jobRow(tenantId: string, servicePrincipalId: string | undefined, jobId: string): Promise<SyncJobsTable> {
    let query = db.selectFrom('sync_jobs').selectAll().where('tenant_id', '=', tenantId).where('id', '=', jobId);
    if (servicePrincipalId !== undefined) query = query.where('service_principal_id', '=', servicePrincipalId);
    const row = await query.executeTakeFirst();
    if (row === undefined) {
      if (servicePrincipalId !== undefined) await principalRow(tenantId, servicePrincipalId);
      throw notFound('synchronizationJob', jobId);
    }
    return row;
  }

  function jobOf(row: SyncJobsTable): SynchronizationJob {
    return {
      id: row.id,
      templateId: row.template_id,
      schedule: JSON.parse(row.schedule) as SynchronizationSchedule,
      status: JSON.parse(row.status) as SynchronizationStatus,
      synchronizationJobSettings: [],
    };
  }

  /** Read, change, write back if nobody else wrote in between; otherwise read again. */
  async function updateJob(
    tenantId: string,
    servicePrincipalId: string | undefined,
    jobId: string,
    change: (row: SyncJobsTable) => Partial<Omit<SyncJobsTable, 'tenant_id' | 'id' | 'version'>>,
  ): Promise<SyncJobsTable> {
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const row = await jobRow(tenantId, servicePrincipalId, jobId);
      const patch = { ...change(row), updated_at: clock().toISOString() };
      const result = await db
        .updateTable('sync_jobs')
        .set({ ...patch, version: row.version + 1 })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', jobId)
        .where('version', '=', row.version)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) return { ...row, ...patch, version: row.version + 1 };
    }
    throw new CloudsyncError('ERR_STORE_CONFLICT', 'the job kept changing while this request tried to update it; retry');
  }

  function applyTransition(tenantId: string, servicePrincipalId: string, jobId: string, transition: JobTransition): Promise<SyncJobsTable> {
    return updateJob(tenantId, servicePrincipalId, jobId, (row) => {
      const state: JobState = {
        scheduleState: row.schedule_state as ScheduleState,
        status: JSON.parse(row.status) as SynchronizationStatus,
        requests: JSON.parse(row.requests) as PendingRequests,
      };
      const next = transitionJob(state, transition);
      const schedule = { ...(JSON.parse(row.schedule) as SynchronizationSchedule), state: next.scheduleState };
      return { schedule_state: next.scheduleState, schedule: JSON.stringify(schedule), status: JSON.stringify(next.status), requests: nextRequests(row.requests, next.requests, requestsAskedBy(transition)) };
    });
  }

  async function requireDomainSecret(tenantId: string, servicePrincipalId: string): Promise<void> {
    const principal = await principalRow(tenantId, servicePrincipalId);
    if (principal.domain_key === null) {
      throw new CloudsyncError('ERR_SYNC_CONFIG_NOT_READY',
        `The configuration has no AD domain yet: PUT /servicePrincipals/${servicePrincipalId}/synchronization/secrets with {"value":[{"key":"Domain","value":"{\\"domain\\":\\"corp.example.com\\"}"}]} before starting the job.`,
        { path: 'secrets.Domain' });
    }
  }

  const configurations: SynchronizationStore = {
    async instantiate(tenantId, applicationTemplateId, displayName) {
      if (!(APPLICATION_TEMPLATE_IDS as readonly string[]).includes(applicationTemplateId.toLowerCase())) {
        throw new CloudsyncError('ERR_SYNC_CONFIG_NOT_FOUND',
          `Application template '${applicationTemplateId}' does not exist here; the provisioning template is ${CLOUD_SYNC_APPLICATION_TEMPLATE_ID}.`, { path: 'applicationTemplateId' });
      }
      if (typeof displayName !== 'string' || displayName.trim() === '' || displayName.length > 256) {
        throw new CloudsyncError('ERR_SYNC_CONFIG_INVALID', "'displayName' must be a non-empty string of at most 256 characters.", { path: 'displayName' });
      }
      const application = await directory.create(tenantId, 'application', { displayName });
      try {
        const appId = String(application['appId']);
        const servicePrincipal: ServicePrincipal = {
          id: randomUUID(),
          appId,
          appDisplayName: displayName,
          displayName,
          accountEnabled: true,
          applicationTemplateId: CLOUD_SYNC_APPLICATION_TEMPLATE_ID,
          appOwnerOrganizationId: tenantId,
          servicePrincipalNames: [appId],
          servicePrincipalType: 'Application',
          signInAudience: 'AzureADMyOrg',
          tags: ['WindowsAzureActiveDirectoryIntegratedApp'],
        };
        await db
          .insertInto('sync_service_principals')
          .values({
            tenant_id: tenantId,
            id: servicePrincipal.id,
            application_id: application.id,
            app_id: appId,
            display_name: displayName,
            domain_key: null,
            password_hash_sync: 0,
            secrets_sealed: null,
            created_at: clock().toISOString(),
            data: JSON.stringify(servicePrincipal),
          })
          .execute();
        return { application: { ...application, applicationTemplateId: CLOUD_SYNC_APPLICATION_TEMPLATE_ID }, servicePrincipal };
      } catch (error) {
        await directory.delete(tenantId, 'application', application.id).catch(() => {});
        throw error;
      }
    },

    async listServicePrincipals(tenantId) {
      const rows = await db.selectFrom('sync_service_principals').select('data').where('tenant_id', '=', tenantId).orderBy('display_name').orderBy('id').execute();
      return rows.map((row) => JSON.parse(row.data) as ServicePrincipal);
    },

    async getServicePrincipal(tenantId, servicePrincipalId) {
      return JSON.parse((await principalRow(tenantId, servicePrincipalId)).data) as ServicePrincipal;
    },

    async deleteServicePrincipal(tenantId, servicePrincipalId) {
      await principalRow(tenantId, servicePrincipalId);
      const jobs = await db.selectFrom('sync_jobs').select('id').where('tenant_id', '=', tenantId).where('service_principal_id', '=', servicePrincipalId).execute();
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('sync_jobs').where('tenant_id', '=', tenantId).where('service_principal_id', '=', servicePrincipalId).execute();
        await tx.deleteFrom('sync_service_principals').where('tenant_id', '=', tenantId).where('id', '=', servicePrincipalId).execute();
      });
      // After the jobs are gone: a connector space left behind by a failure here is unreachable, never reused
      // by a later job (job ids are random), and the next delete of nothing finds nothing.
      for (const job of jobs) await new SqlConnectorSpace(store, connectorSpaceIdOf(tenantId, job.id)).clear();
    },

    async putSecrets(tenantId, servicePrincipalId, body) {
      const incoming = parseSecretsBody(body);
      const principal = await principalRow(tenantId, servicePrincipalId);
      // Graph's PUT names only the secrets it sets; Cloud Sync's scripts send Domain and AppKey in one call and
      // SyncNotificationSettings in another, so secrets are merged by key rather than replaced wholesale.
      const current = principal.secrets_sealed === null ? {} : openSecrets(principal.secrets_sealed, key, sealContext(tenantId, servicePrincipalId));
      const merged: Secrets = { ...current, ...incoming };
      const facts = secretFacts(merged);
      if (facts.domain !== undefined) {
        const other = await db
          .selectFrom('sync_service_principals')
          .select(['id', 'display_name'])
          .where('tenant_id', '=', tenantId)
          .where('domain_key', '=', facts.domain)
          .where('id', '!=', servicePrincipalId)
          .executeTakeFirst();
        if (other !== undefined) throw domainConflict(facts.domain, other.id, other.display_name);
      }
      try {
        await db
          .updateTable('sync_service_principals')
          .set({
            secrets_sealed: sealSecrets(merged, key, sealContext(tenantId, servicePrincipalId)),
            domain_key: facts.domain ?? null,
            password_hash_sync: facts.passwordHashSync === true ? 1 : 0,
          })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', servicePrincipalId)
          .execute();
      } catch (error) {
        if (facts.domain !== undefined && isUniqueViolation(error, 'ux_sync_service_principals_domain', 'domain_key')) throw domainConflict(facts.domain, undefined, undefined);
        throw error;
      }
    },

    async createJob(tenantId, servicePrincipalId, templateId) {
      if (typeof templateId !== 'string') {
        throw new CloudsyncError('ERR_SYNC_CONFIG_INVALID', "'templateId' is required: a synchronization template id such as \"AD2AADProvisioning\".", { path: 'templateId' });
      }
      const schema = toGraphJson(getTemplate(templateId));
      await principalRow(tenantId, servicePrincipalId);
      const now = clock().toISOString();
      const id = `${templateId}.${hex(16)}.${hex(16)}`;
      const schedule: SynchronizationSchedule = { expiration: null, interval: defaultInterval, state: 'Disabled' };
      try {
        await db
          .insertInto('sync_jobs')
          .values({
            tenant_id: tenantId,
            id,
            service_principal_id: servicePrincipalId,
            template_id: templateId,
            schedule_state: 'Disabled',
            interval_seconds: defaultIntervalSeconds,
            schedule: JSON.stringify(schedule),
            status: JSON.stringify(initialStatus()),
            schema_json: JSON.stringify(schema),
            // The first cycle is a full one whatever happens before it.
            requests: JSON.stringify({ ...NO_REQUESTS, fullReevaluation: true }),
            version: 0,
            created_at: now,
            updated_at: now,
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error, 'ux_sync_jobs_template', 'template_id')) {
          throw new CloudsyncError('ERR_SYNC_CONFIG_JOB_EXISTS',
            `The service principal ${servicePrincipalId} already has a ${templateId} job; one job per template per configuration.`, { path: 'templateId' });
        }
        throw error;
      }
      return jobOf(await jobRow(tenantId, servicePrincipalId, id));
    },

    async listJobs(tenantId, servicePrincipalId) {
      await principalRow(tenantId, servicePrincipalId);
      const rows = await db
        .selectFrom('sync_jobs')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('service_principal_id', '=', servicePrincipalId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(jobOf);
    },

    async getJob(tenantId, servicePrincipalId, jobId) {
      return jobOf(await jobRow(tenantId, servicePrincipalId, jobId));
    },

    async deleteJob(tenantId, servicePrincipalId, jobId, deleteOptions = {}) {
      await jobRow(tenantId, servicePrincipalId, jobId);
      const connectorSpace = new SqlConnectorSpace(store, connectorSpaceIdOf(tenantId, jobId));
      // Objects first, job last: a removal cut short leaves the job (and its connector space) to ask again with.
      const report = deleteOptions.removeObjects === true ? await removeSynchronizedObjects(connectorSpace, directory, tenantId) : undefined;
      await db.deleteFrom('sync_jobs').where('tenant_id', '=', tenantId).where('id', '=', jobId).execute();
      await connectorSpace.clear();
      return report;
    },

    async startJob(tenantId, servicePrincipalId, jobId) {
      await jobRow(tenantId, servicePrincipalId, jobId);
      await requireDomainSecret(tenantId, servicePrincipalId);
      return jobOf(await applyTransition(tenantId, servicePrincipalId, jobId, { kind: 'start', now: clock() }));
    },

    async pauseJob(tenantId, servicePrincipalId, jobId) {
      return jobOf(await applyTransition(tenantId, servicePrincipalId, jobId, { kind: 'pause', now: clock() }));
    },

    async restartJob(tenantId, servicePrincipalId, jobId, resetScope) {
      await jobRow(tenantId, servicePrincipalId, jobId);
      await requireDomainSecret(tenantId, servicePrincipalId);
      return jobOf(await applyTransition(tenantId, servicePrincipalId, jobId, { kind: 'restart', now: clock(), resetScope }));
    },

    async updateSchedule(tenantId, servicePrincipalId, jobId, patch) {
      const seconds = patch.interval === undefined ? undefined : parseInterval(patch.interval);
      let expiration: string | null | undefined;
      if (patch.expiration !== undefined) {
        if (patch.expiration !== null && (typeof patch.expiration !== 'string' || Number.isNaN(Date.parse(patch.expiration)))) {
          throw new CloudsyncError('ERR_SYNC_CONFIG_INVALID', 'schedule.expiration must be an ISO 8601 date-time or null.', { path: 'schedule.expiration' });
        }
        expiration = patch.expiration === null ? null : new Date(patch.expiration).toISOString();
      }
      const row = await updateJob(tenantId, servicePrincipalId, jobId, (current) => {
        const schedule = JSON.parse(current.schedule) as SynchronizationSchedule;
        const next: SynchronizationSchedule = {
          ...schedule,
          ...(seconds === undefined ? {} : { interval: patch.interval as string }),
          ...(expiration === undefined ? {} : { expiration }),
        };
        return { schedule: JSON.stringify(next), ...(seconds === undefined ? {} : { interval_seconds: seconds }) };
      });
      return jobOf(row);
    },

    async getSchema(tenantId, servicePrincipalId, jobId) {
      return JSON.parse((await jobRow(tenantId, servicePrincipalId, jobId)).schema_json) as Record<string, unknown>;
    },

    async putSchema(tenantId, servicePrincipalId, jobId, json) {
      const body = json !== null && typeof json === 'object' && !Array.isArray(json)
        ? Object.fromEntries(Object.entries(json).filter(([name]) => !name.startsWith('@odata.')))
        : json;
      const schema = toGraphJson(parseSynchronizationSchema(body));
      await updateJob(tenantId, servicePrincipalId, jobId, (row) => ({
        schema_json: JSON.stringify(schema),
        // Entra re-evaluates every object after a schema change (a new scoping filter triggers a full sync).
        requests: nextRequests(row.requests, { ...requestsOf(row.requests), fullReevaluation: true }, ['fullReevaluation']),
      }));
    },

    async listTemplates(tenantId, servicePrincipalId) {
      const principal = await principalRow(tenantId, servicePrincipalId);
      return TEMPLATE_IDS.map((id) => ({
        id,
        applicationId: principal.app_id,
        default: id === 'AD2AADProvisioning',
        description: TEMPLATE_DESCRIPTIONS[id],
        discoverable: true,
        factoryTag: id,
        metadata: [],
      }));
    },

    async getTemplateSchema(tenantId, servicePrincipalId, templateId) {
      await principalRow(tenantId, servicePrincipalId);
      return toGraphJson(getTemplate(templateId)) as unknown as Record<string, unknown>;
    },

    // ---- the engine's port ----------------------------------------------------------------------------------

    async listRunnableJobs(now, limit = 100) {
      const rows = await db.selectFrom('sync_jobs').selectAll().where('schedule_state', '=', 'Active').execute();
      const due: RunnableJob[] = [];
      for (const row of rows) {
        const status = JSON.parse(row.status) as SynchronizationStatus;
        const requests = JSON.parse(row.requests) as PendingRequests;
        const schedule = JSON.parse(row.schedule) as SynchronizationSchedule;
        if (schedule.expiration !== null && Date.parse(schedule.expiration) <= now.getTime()) continue;
        const ended = status.lastExecution === null ? undefined : Date.parse(status.lastExecution.timeEnded);
        // A quarantined job runs at its quarantine's nextAttempt (6 h, 12 h, 24 h… after the first failure) instead of
        // its interval, unless an admin asks for a run.
        const scheduled = status.quarantine === null ? (ended ?? 0) + row.interval_seconds * 1000 : Date.parse(status.quarantine.nextAttempt);
        const dueAt = ended === undefined || requests.runNow || requests.restart !== null || requests.fullReevaluation ? now : new Date(scheduled);
        if (dueAt.getTime() <= now.getTime()) {
          due.push({ tenantId: row.tenant_id, servicePrincipalId: row.service_principal_id, jobId: row.id, templateId: row.template_id, intervalSeconds: row.interval_seconds, dueAt });
        }
      }
      return due.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime()).slice(0, limit);
    },

    async readJob(tenantId, jobId): Promise<JobSnapshot> {
      const row = await jobRow(tenantId, undefined, jobId);
      const principal = await principalRow(tenantId, row.service_principal_id);
      const schema: SynchronizationSchema = parseSynchronizationSchema(JSON.parse(row.schema_json));
      return {
        tenantId,
        servicePrincipalId: row.service_principal_id,
        job: jobOf(row),
        scheduleState: row.schedule_state as ScheduleState,
        intervalSeconds: row.interval_seconds,
        schema,
        secrets: principal.secrets_sealed === null ? Object.freeze({}) : openSecrets(principal.secrets_sealed, key, sealContext(tenantId, principal.id)),
        domain: principal.domain_key ?? undefined,
        passwordHashSync: principal.password_hash_sync === 1,
        requests: requestsOf(row.requests),
        requestsVersion: requestSerialOf(row.requests),
      };
    },

    async recordProgress(tenantId, jobId, progress: readonly SynchronizationProgress[]) {
      await updateJob(tenantId, undefined, jobId, (row) => ({ status: JSON.stringify({ ...(JSON.parse(row.status) as SynchronizationStatus), progress }) }));
    },

    async recordExecution(tenantId, jobId, record: ExecutionRecord) {
      const row = await updateJob(tenantId, undefined, jobId, (current) => {
        const status = JSON.parse(current.status) as SynchronizationStatus;
        const { execution } = record;
        const failed = execution.state === 'Failed';
        const quarantine = record.quarantine === undefined ? status.quarantine : record.quarantine;
        const paused = current.schedule_state !== 'Active';
        const next: SynchronizationStatus = {
          ...status,
          code: paused ? status.code : quarantine !== null ? 'Quarantine' : 'Active',
          countSuccessiveCompleteFailures: failed ? status.countSuccessiveCompleteFailures + 1 : 0,
          escrowsPruned: record.escrowsPruned ?? status.escrowsPruned,
          lastExecution: execution,
          lastSuccessfulExecution: execution.state === 'Succeeded' ? execution : status.lastSuccessfulExecution,
          lastSuccessfulExecutionWithExports: execution.state === 'Succeeded' && execution.countExported > 0 ? execution : status.lastSuccessfulExecutionWithExports,
          progress: [],
          quarantine,
          synchronizedEntryCountByType: record.synchronizedEntryCountByType ?? status.synchronizedEntryCountByType,
          ...(record.steadyState === true
            ? {
                steadyStateFirstAchievedTime: status.steadyStateFirstAchievedTime === '0001-01-01T00:00:00Z' ? execution.timeEnded : status.steadyStateFirstAchievedTime,
                steadyStateLastAchievedTime: execution.timeEnded,
              }
            : {}),
        };
        // Requests made while the cycle ran (asked for after the serial it saw) stay pending; the ones it carried out go.
        const requests = record.acknowledged === undefined ? current.requests : acknowledgeRequests(current.requests, record.acknowledged);
        return { status: JSON.stringify(next), requests };
      });
      return jobOf(row);
    },
  };
  return configurations;
}

function domainConflict(domain: string, otherId: string | undefined, otherName: string | undefined): CloudsyncError {
  const who = otherId === undefined ? 'another configuration' : `the configuration '${otherName}' (service principal ${otherId})`;
  return new CloudsyncError('ERR_SYNC_CONFIG_DOMAIN_CONFLICT',
    `The AD domain ${domain} is already configured by ${who}; one configuration per AD domain. Change or delete that configuration first.`,
    { path: 'secrets.Domain', details: { domain, ...(otherId === undefined ? {} : { servicePrincipalId: otherId }) } });
}
