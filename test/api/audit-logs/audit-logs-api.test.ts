/**
 * GET /v1.0/auditLogs/provisioning and /directoryAudits over a real store (both backends) and the real API:
 * configuration changes made through the synchronization API are audited (who, what, before → after, secrets
 * never), real scheduler cycles fill the provisioning log served in Graph's provisioningObjectSummary shape
 * with $filter and nextLink paging; AuditLog.Read.All is required and every read is confined to the tenant.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/api/app.ts';
import type { CreatedTenant } from '../../../src/directory/index.ts';
import type { AppRole } from '../../../src/directory/app-roles.ts';
import { SqlDirectoryAuditLog, SqlProvisioningLog } from '../../../src/provisioning-logs/index.ts';
import { createDeleteProtectionStore, createJobScheduler, createSynchronizationStore, type JobScheduler } from '../../../src/synchronization/index.ts';
import { openDirectory, selectedBackends, type DirectoryBackend } from '../api-harness.ts';
import { stopPostgres } from '../../harness/postgres.ts';
import { MemorySource } from '../../engine/memory-source.ts';

const TEMPLATE = '1a4721b3-e57f-4451-ae87-ef078703ec94';
const OU = 'OU=Staff,DC=corp,DC=example,DC=com';
const SECRET_PASSWORD = 'Zq8!unguessable-bind-password-4711';

after(() => stopPostgres());

for (const backend of selectedBackends()) {
  describe(`audit logs API on ${backend}`, () => {
    let opened: DirectoryBackend;
    let app: FastifyInstance;
    let scheduler: JobScheduler;
    let now = new Date('2026-06-01T08:00:00Z');
    const source = new MemorySource();

    before(async () => {
      opened = await openDirectory(backend, () => now);
      const synchronization = createSynchronizationStore(opened.store, opened.directory, { secretsKey: randomBytes(32), clock: () => now });
      const provisioning = new SqlProvisioningLog(opened.store);
      app = buildApp({
        directory: opened.directory,
        signingKey: await opened.directory.getOrCreateSigningKey(),
        synchronization,
        clock: () => now,
        auditLogs: { provisioning, directoryAudits: new SqlDirectoryAuditLog(opened.store) },
        pendingDeletes: createDeleteProtectionStore(opened.store),
      });
      await app.ready();
      scheduler = createJobScheduler({
        port: synchronization,
        directory: opened.directory,
        store: opened.store,
        log: provisioning,
        connectors: { connectorFor: (domain) => (domain === 'corp.example.com' ? { source, netBiosName: 'CORP' } : undefined) },
        clock: () => now,
        onError: (error) => assert.fail(error as Error),
      });
    });
    after(async () => {
      await scheduler.stop();
      await app.close();
      await opened.close();
    });

    async function tokenFor(tenantId: string, clientId: string, clientSecret: string): Promise<{ authorization: string }> {
      const response = await app.inject({
        method: 'POST',
        url: `/${tenantId}/oauth2/v2.0/token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'https://graph.microsoft.com/.default' }).toString(),
      });
      assert.equal(response.statusCode, 200, response.body);
      return { authorization: `Bearer ${(response.json() as { access_token: string }).access_token}` };
    }

    async function newTenant(): Promise<CreatedTenant & { auth: { authorization: string } }> {
      const tenant = await opened.directory.createTenant({ name: `audit${Math.floor(Math.random() * 1e9)}` });
      return { ...tenant, auth: await tokenFor(tenant.tenantId, tenant.clientId, tenant.clientSecret) };
    }

    async function clientWithRoles(tenant: CreatedTenant, roles: readonly AppRole[]) {
      const page = await opened.directory.list(tenant.tenantId, 'application', { top: 999 });
      const admin = page.items.find((application) => application.appId === tenant.clientId)!;
      const client = await opened.directory.addClientSecret(tenant.tenantId, admin.id, roles);
      return { clientId: client.clientId, auth: await tokenFor(tenant.tenantId, client.clientId, client.clientSecret) };
    }

    async function call(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, auth: { authorization?: string }, body?: unknown) {
      return app.inject({
        method,
        url,
        headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
    }

    async function ok(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, auth: { authorization: string }, body?: unknown) {
      const response = await call(method, url, auth, body);
      assert.ok(response.statusCode < 300, `${method} ${url}: ${response.statusCode} ${response.body}`);
      return response.body === '' ? undefined : (response.json() as any);
    }

    /** Follows @odata.nextLink to the end. */
    async function listAll(url: string, auth: { authorization: string }): Promise<any[]> {
      const out: any[] = [];
      let next: string | undefined = url;
      while (next !== undefined) {
        const page: any = await ok('GET', next, auth);
        out.push(...page.value);
        next = page['@odata.nextLink'] === undefined ? undefined : new URL(page['@odata.nextLink']).pathname + new URL(page['@odata.nextLink']).search;
      }
      return out;
    }

    test('configuration changes are audited: who, what, when, before → after; secrets never appear', async () => {
      const tenant = await newTenant();
      const operator = await clientWithRoles(tenant, ['Synchronization.ReadWrite.All', 'Directory.ReadWrite.All']);
      const reader = await clientWithRoles(tenant, ['AuditLog.Read.All']);
      const created = await ok('POST', `/v1.0/applicationTemplates/${TEMPLATE}/instantiate`, operator.auth, { displayName: 'corp.example.com' });
      const sp = created.servicePrincipal.id as string;
      const base = `/v1.0/servicePrincipals/${sp}/synchronization`;
      now = new Date('2026-06-01T08:01:00Z');
      const job = await ok('POST', `${base}/jobs`, operator.auth, { templateId: 'AD2AADProvisioning' });
      const jobUrl = `${base}/jobs/${job.id}`;
      await ok('PUT', `${base}/secrets`, operator.auth, {
        value: [{ key: 'Domain', value: JSON.stringify({ domain: 'corp.example.com' }) }, { key: 'Password', value: SECRET_PASSWORD }],
      });
      await ok('PATCH', jobUrl, operator.auth, { schedule: { interval: 'PT10M' } });
      const refused = await call('PATCH', jobUrl, operator.auth, { schedule: { interval: 'PT1S' } });
      assert.equal(refused.statusCode, 400);
      await ok('POST', `${jobUrl}/start`, operator.auth);
      await ok('POST', `${jobUrl}/pause`, operator.auth);
      await ok('POST', `${jobUrl}/restart`, operator.auth, { criteria: { resetScope: 'Watermark, ForceDeletes' } });
      const schema = await ok('GET', `${jobUrl}/schema`, operator.auth);
      const rule = schema.synchronizationRules[0];
      const userMapping = rule.objectMappings.find((m: any) => m.sourceObjectName === 'user');
      userMapping.attributeMappings = userMapping.attributeMappings.filter((m: any) => m.targetAttributeName !== 'department');
      await ok('PUT', `${jobUrl}/schema`, operator.auth, schema);
      const nothingHeld = await call('POST', `${jobUrl}/pendingDeletes/approve`, operator.auth, { objectIds: [`CN=gone,${OU}`] });
      assert.equal(nothingHeld.statusCode, 400);
      now = new Date('2026-06-01T09:00:00Z');
      await ok('DELETE', `${jobUrl}?removeObjects=false`, operator.auth);

      const raw = await call('GET', '/v1.0/auditLogs/directoryAudits?$top=999', reader.auth);
      assert.equal(raw.statusCode, 200, raw.body);
      assert.ok(!raw.body.includes(SECRET_PASSWORD), 'the secret value never reaches the audit log');
      const audits = (raw.json() as any).value.reverse();
      assert.deepEqual(
        audits.map((a: any) => `${a.activityDisplayName} ${a.result}`),
        [
          'Add service principal success',
          'Add provisioning configuration success',
          'Update provisioning setting or credentials success',
          'Update provisioning schedule success',
          'Update provisioning schedule failure',
          'Start provisioning success',
          'Pause provisioning success',
          'Restart provisioning success',
          'Update attribute mappings or scope success',
          'Approve pending deletions failure',
          'Delete provisioning configuration success',
        ],
      );
      for (const audit of audits) {
        assert.equal(audit.initiatedBy.app.appId, operator.clientId, 'who: the calling application');
        assert.equal(audit.category, 'ProvisioningManagement');
        assert.match(audit.correlationId, /^[0-9a-f-]{36}$/);
      }
      const byName = (name: string, result = 'success') => audits.find((a: any) => a.activityDisplayName === name && a.result === result);
      const props = (audit: any) => Object.fromEntries(audit.targetResources[0].modifiedProperties.map((p: any) => [p.displayName, [p.oldValue, p.newValue]]));

      assert.equal(byName('Add service principal').targetResources[0].id, sp);
      assert.deepEqual(props(byName('Add service principal'))['displayName'], [null, '"corp.example.com"']);
      assert.equal(byName('Add provisioning configuration').targetResources[0].id, job.id);
      assert.deepEqual(props(byName('Update provisioning setting or credentials')), { 'secrets.Domain': [null, '"[Redacted]"'], 'secrets.Password': [null, '"[Redacted]"'] });
      assert.deepEqual(props(byName('Update provisioning schedule'))['schedule.interval'], ['"PT2M"', '"PT10M"']);
      const failed = byName('Update provisioning schedule', 'failure');
      assert.match(failed.resultReason, /PT1S|interval/);
      assert.deepEqual(failed.targetResources[0].modifiedProperties, []);
      assert.deepEqual(props(byName('Start provisioning'))['schedule.state'], ['"Disabled"', '"Active"']);
      assert.deepEqual(props(byName('Pause provisioning'))['schedule.state'], ['"Active"', '"Paused"']);
      assert.deepEqual(props(byName('Restart provisioning'))['criteria.resetScope'], [null, '"Watermark, ForceDeletes"']);
      const [before, afterSchema] = props(byName('Update attribute mappings or scope'))['schema'] as [string, string];
      const departmentMappings = (text: string) => text.split('"targetAttributeName":"department"').length - 1;
      assert.equal(departmentMappings(afterSchema), departmentMappings(before) - 1, 'the schema before and after the PUT');
      const approval = byName('Approve pending deletions', 'failure');
      assert.match(approval.resultReason, /nothing to approve/);
      assert.deepEqual(props(approval), { objectIds: [null, JSON.stringify([`CN=gone,${OU}`])] }, 'what was asked, although refused');
      assert.deepEqual(props(byName('Delete provisioning configuration'))['schedule.state'], ['"Active"', null]);
      assert.deepEqual(props(byName('Delete provisioning configuration'))['removeObjects'], [null, '"false"']);
      assert.equal(byName('Delete provisioning configuration').activityDateTime, '2026-06-01T09:00:00.000Z');

      // $filter, paging and one entry by id.
      const filtered = await listAll(`/v1.0/auditLogs/directoryAudits?$top=2&$filter=${encodeURIComponent("result eq 'success' and activityDateTime ge 2026-06-01T08:01:00Z")}`, reader.auth);
      assert.equal(filtered.length, 8, 'successes from the job creation on');
      const byApp = await listAll(`/v1.0/auditLogs/directoryAudits?$filter=${encodeURIComponent(`initiatedBy/app/appId eq '${operator.clientId}' and activityDisplayName eq 'Start provisioning'`)}`, reader.auth);
      assert.equal(byApp.length, 1);
      const one = await ok('GET', `/v1.0/auditLogs/directoryAudits/${byApp[0].id}`, reader.auth);
      assert.equal(one.activityDisplayName, 'Start provisioning');
    });

    test('real cycles fill the provisioning log, served as provisioningObjectSummary with $filter and paging', async () => {
      now = new Date('2026-06-02T07:50:00Z'); // tokens below live an hour from here
      const tenant = await newTenant();
      const reader = await clientWithRoles(tenant, ['AuditLog.Read.All']);
      const created = await ok('POST', `/v1.0/applicationTemplates/${TEMPLATE}/instantiate`, tenant.auth, { displayName: 'corp.example.com' });
      const sp = created.servicePrincipal.id as string;
      const base = `/v1.0/servicePrincipals/${sp}/synchronization`;
      const job = await ok('POST', `${base}/jobs`, tenant.auth, { templateId: 'AD2AADProvisioning' });
      await ok('PUT', `${base}/secrets`, tenant.auth, { value: [{ key: 'Domain', value: JSON.stringify({ domain: 'corp.example.com' }) }] });
      // jobTitle through Redact(): the value reaches the directory, the log shows [Redact].
      const schema = await ok('GET', `${base}/jobs/${job.id}/schema`, tenant.auth);
      const userMapping = schema.synchronizationRules[0].objectMappings.find((m: any) => m.sourceObjectName === 'user');
      const jobTitle = userMapping.attributeMappings.find((m: any) => m.targetAttributeName === 'jobTitle');
      jobTitle.source = { type: 'Function', expression: 'Redact([title])', name: 'Redact', parameters: [] };
      await ok('PUT', `${base}/jobs/${job.id}/schema`, tenant.auth, schema);
      await ok('POST', `${base}/jobs/${job.id}/start`, tenant.auth);
      for (const nick of ['ann', 'bob', 'cyd', 'dee', 'eve']) {
        source.add('user', `CN=${nick},${OU}`, { cn: nick, displayName: nick, sAMAccountName: nick, userPrincipalName: `${nick}@corp.example.com`, department: 'Sales' });
      }
      // A second user mapped to eve's UPN fails: a per-object failure with a remediation.
      source.add('user', `CN=eve2,${OU}`, { cn: 'eve2', displayName: 'eve2', sAMAccountName: 'eve2', userPrincipalName: 'eve@corp.example.com' });
      now = new Date('2026-06-02T08:00:00Z');
      await scheduler.tick();
      source.modify(`CN=bob,${OU}`, { department: 'Engineering', title: 'Confidential Title' });
      now = new Date('2026-06-02T08:03:00Z');
      await scheduler.tick();

      const entries = await listAll('/v1.0/auditLogs/provisioning?$top=2', reader.auth);
      // 5 creates and eve2's failure in the first cycle; bob's update and eve2's retry (its escrow was due) in the second.
      assert.equal(entries.length, 8, JSON.stringify(entries.map((e: any) => [e.provisioningAction, e.provisioningStatusInfo.status])));
      const creates = entries.filter((e: any) => e.provisioningAction === 'create' && e.provisioningStatusInfo.status === 'success');
      assert.equal(creates.length, 5);
      const update = entries.find((e: any) => e.provisioningAction === 'update')!;
      assert.equal(update.sourceIdentity.details.distinguishedName, `CN=bob,${OU}`);
      assert.deepEqual(update.modifiedProperties.find((p: any) => p.displayName === 'department'), { displayName: 'department', oldValue: 'Sales', newValue: 'Engineering' });
      // jobTitle had no value before (null); the new one is shown as [Redact], nowhere in clear.
      assert.deepEqual(update.modifiedProperties.find((p: any) => p.displayName === 'jobTitle'), { displayName: 'jobTitle', oldValue: null, newValue: '[Redact]' });
      assert.ok(!JSON.stringify(entries).includes('Confidential Title'));
      const bob = await ok('GET', `/v1.0/users/${update.targetIdentity.id}?$select=jobTitle`, tenant.auth);
      assert.equal(bob.jobTitle, 'Confidential Title', 'the redacted value reached the directory');
      assert.equal(update.jobId, job.id);
      assert.deepEqual(update.servicePrincipal, { id: sp, displayName: 'corp.example.com' });
      assert.equal(update.tenantId, tenant.tenantId);
      assert.ok(update.provisioningSteps.length > 0 && update.provisioningSteps.every((s: any) => typeof s.provisioningStepType === 'string'));
      assert.equal(update.provisioningStatusInfo.errorInformation, null);
      const failure = entries.find((e: any) => e.provisioningStatusInfo.status === 'failure')!;
      assert.equal(failure.sourceIdentity.details.distinguishedName, `CN=eve2,${OU}`);
      assert.deepEqual(Object.keys(failure.provisioningStatusInfo.errorInformation).sort(), ['additionalDetails', 'errorCategory', 'errorCode', 'reason', 'recommendedAction']);
      assert.equal(failure.provisioningStatusInfo.errorInformation.errorCode, 'ERR_DIR_UPN_CONFLICT');
      assert.equal(failure.provisioningStatusInfo.errorInformation.errorCategory, 'nonServiceFailure');
      assert.match(failure.provisioningStatusInfo.errorInformation.recommendedAction, /userPrincipalName/);

      const q = (filter: string) => listAll(`/v1.0/auditLogs/provisioning?$filter=${encodeURIComponent(filter)}`, reader.auth);
      assert.equal((await q("provisioningStatusInfo/status eq 'failure'")).length, 2);
      assert.equal((await q("provisioningAction eq 'update'")).length, 1);
      assert.equal((await q(`jobId eq '${job.id}'`)).length, 8);
      assert.equal((await q(`servicePrincipal/id eq '${sp}' and activityDateTime ge 2026-06-02T08:01:00Z`)).length, 2);
      assert.equal((await q(`activityDateTime le 2026-06-02T08:01:00Z`)).length, 6);
      assert.equal((await q(`sourceIdentity/id eq '${update.sourceIdentity.id}'`)).length, 2, "bob's create and update");
      const bad = await call('GET', `/v1.0/auditLogs/provisioning?$filter=${encodeURIComponent("displayName eq 'x'")}`, reader.auth);
      assert.equal(bad.statusCode, 400);
      assert.equal((bad.json() as any).error.code, 'Request_UnsupportedQuery');
      const unsupported = await call('GET', '/v1.0/auditLogs/provisioning?$orderby=activityDateTime', reader.auth);
      assert.equal(unsupported.statusCode, 400);
      const one = await ok('GET', `/v1.0/auditLogs/provisioning/${update.id}`, reader.auth);
      assert.equal(one.id, update.id);
      assert.match(one['@odata.context'], /\$metadata#auditLogs\/provisioning\/\$entity$/);

      // Permissions and tenant confinement.
      const directoryOnly = await clientWithRoles(tenant, ['Directory.Read.All', 'Directory.ReadWrite.All', 'Synchronization.ReadWrite.All']);
      const forbidden = await call('GET', '/v1.0/auditLogs/provisioning', directoryOnly.auth);
      assert.equal(forbidden.statusCode, 403);
      assert.match(forbidden.body, /AuditLog\.Read\.All/);
      assert.equal((await call('GET', '/v1.0/auditLogs/directoryAudits', directoryOnly.auth)).statusCode, 403);
      assert.equal((await call('GET', '/v1.0/auditLogs/provisioning', {})).statusCode, 401);
      const stranger = await newTenant();
      assert.deepEqual(await listAll('/v1.0/auditLogs/provisioning', stranger.auth), []);
      assert.equal((await call('GET', `/v1.0/auditLogs/provisioning/${update.id}`, stranger.auth)).statusCode, 404);
    });
  });
}
