import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { selectedBackends } from '../api-harness.ts';
import { startSyncApi, type SyncApiFixture } from './synchronization-harness.ts';

const TEMPLATE = '1a4721b3-e57f-4451-ae87-ef078703ec94';

for (const backend of selectedBackends()) {
  describe(`synchronization API (${backend})`, () => {
    let api: SyncApiFixture;
    before(async () => {
      api = await startSyncApi(backend);
    });
    after(() => api.close());

    async function call(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers = api.auth) {
      const response = await api.app.inject({
        method,
        url,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      return { status: response.statusCode, body: response.body === '' ? undefined : (response.json() as any) };
    }

    async function configuration(domain: string, auth = api.auth) {
      const created = await call('POST', `/v1.0/applicationTemplates/${TEMPLATE}/instantiate`, { displayName: domain }, auth);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const sp = created.body.servicePrincipal.id as string;
      const job = await call('POST', `/v1.0/servicePrincipals/${sp}/synchronization/jobs`, { templateId: 'AD2AADProvisioning' }, auth);
      assert.equal(job.status, 201, JSON.stringify(job.body));
      return { sp, jobId: job.body.id as string, base: `/v1.0/servicePrincipals/${sp}/synchronization` };
    }

    function domainSecrets(domain: string, scenario = 'AD2AADProvisioning') {
      return {
        value: [
          { key: 'Domain', value: JSON.stringify({ domain }) },
          { key: 'AppKey', value: JSON.stringify({ appKeyScenario: scenario }) },
        ],
      };
    }

    test("Microsoft's documented sequence: instantiate → job → secrets → schema get/put → start → status", async () => {
      // 1. instantiate the application template
      const created = await call('POST', `/v1.0/applicationTemplates/${TEMPLATE}/instantiate`, { displayName: 'corp.example.com' });
      assert.equal(created.status, 201);
      assert.match(created.body['@odata.context'], /\$metadata#microsoft\.graph\.applicationServicePrincipal$/);
      const { application, servicePrincipal } = created.body;
      assert.equal(application.displayName, 'corp.example.com');
      assert.equal(servicePrincipal.appId, application.appId);
      assert.equal(servicePrincipal.appOwnerOrganizationId, api.tenant.tenantId);
      assert.equal(servicePrincipal.applicationTemplateId, TEMPLATE);
      // the application is a real directory object
      assert.equal((await call('GET', `/v1.0/applications/${application.id}`)).status, 200);
      const spId = servicePrincipal.id as string;
      const base = `/v1.0/servicePrincipals/${spId}/synchronization`;

      // (the generic provisioning scripts list the templates first)
      const templates = await call('GET', `${base}/templates`);
      assert.equal(templates.status, 200);
      assert.deepEqual(templates.body.value.map((t: { id: string }) => t.id), ['AD2AADProvisioning', 'AAD2ADGroupProvisioning', 'LDAP2AADProvisioning']);
      assert.equal(templates.body.value[0].applicationId, application.appId);
      const templateSchema = await call('GET', `${base}/templates/AD2AADProvisioning/schema`);
      assert.equal(templateSchema.status, 200);
      assert.ok(templateSchema.body.synchronizationRules.length > 0);
      assert.equal((await call('GET', `${base}/templates/Nope/schema`)).status, 400);

      // 2. create the job
      const job = await call('POST', `${base}/jobs`, { templateId: 'AD2AADProvisioning' });
      assert.equal(job.status, 201);
      assert.match(job.body.id, /^AD2AADProvisioning\.[0-9a-f]{32}\.[0-9a-f]{32}$/);
      assert.equal(job.body.templateId, 'AD2AADProvisioning');
      assert.deepEqual(job.body.schedule, { expiration: null, interval: 'PT2M', state: 'Disabled' });
      assert.equal(job.body.status.code, 'Paused');
      assert.deepEqual(job.body.synchronizationJobSettings, []);
      const jobUrl = `${base}/jobs/${job.body.id}`;

      // 3. secrets (Domain, AppKey; notification settings in a second call as the portal does)
      assert.equal((await call('PUT', `${base}/secrets`, domainSecrets('corp.example.com', 'AD2AADPasswordHash'))).status, 204);
      const notify = { value: [{ key: 'SyncNotificationSettings', value: JSON.stringify({ Enabled: true, Recipients: 'admin@corp.example.com', DeleteThresholdEnabled: true, DeleteThresholdValue: 500 }) }] };
      assert.equal((await call('PUT', `${base}/secrets`, notify)).status, 204);
      // secrets are write-only
      const getSecrets = await call('GET', `${base}/secrets`);
      assert.equal(getSecrets.status, 405);
      const snapshot = await api.synchronization.readJob(api.tenant.tenantId, job.body.id);
      assert.equal(snapshot.domain, 'corp.example.com');
      assert.equal(snapshot.passwordHashSync, true);
      assert.equal(JSON.parse(snapshot.secrets['SyncNotificationSettings']!).DeleteThresholdValue, 500);
      assert.ok(snapshot.secrets['Domain'], 'merged, not replaced');
      const row = await api.store.db.selectFrom('sync_service_principals' as any).selectAll().executeTakeFirst() as any;
      assert.match(row.secrets_sealed, /^v1\./);
      assert.doesNotMatch(row.secrets_sealed, /corp|admin|appKeyScenario/, 'sealed at rest');

      // 4. schema: get, change, put back (a round trip of what GET returned)
      const schema = await call('GET', `${jobUrl}/schema`);
      assert.equal(schema.status, 200);
      assert.ok(Array.isArray(schema.body.synchronizationRules) && schema.body.synchronizationRules.length > 0);
      assert.ok(Array.isArray(schema.body.directories));
      const before = await api.synchronization.readJob(api.tenant.tenantId, job.body.id);
      await api.synchronization.recordExecution(api.tenant.tenantId, job.body.id, { execution: execution('Succeeded', 0), acknowledged: before.requestsVersion });
      assert.equal((await api.synchronization.readJob(api.tenant.tenantId, job.body.id)).requests.fullReevaluation, false);
      const rule = schema.body.synchronizationRules[0];
      // Microsoft's scripts edit the GET result in place and PUT it back: here companyName becomes a constant.
      const companyName = rule.objectMappings[0].attributeMappings.find((m: { targetAttributeName: string }) => m.targetAttributeName === 'companyName');
      companyName.source = { expression: '"Contoso Ltd"', name: 'Contoso Ltd', type: 'Constant', parameters: [] };
      const put = await call('PUT', `${jobUrl}/schema`, schema.body);
      assert.equal(put.status, 204, JSON.stringify(put.body));
      const saved = await call('GET', `${jobUrl}/schema`);
      assert.ok(JSON.stringify(saved.body).includes('Contoso Ltd'));
      assert.equal((await api.synchronization.readJob(api.tenant.tenantId, job.body.id)).requests.fullReevaluation, true, 'a saved schema asks for a full re-evaluation');

      // 5. start
      assert.equal((await call('POST', `${jobUrl}/start`)).status, 204);
      // 6. status
      const status = await call('GET', jobUrl);
      assert.equal(status.status, 200);
      assert.equal(status.body.schedule.state, 'Active');
      assert.equal(status.body.status.code, 'Active');
      assert.equal(status.body.status.quarantine, null);
      for (const field of ['lastExecution', 'lastSuccessfulExecution', 'lastSuccessfulExecutionWithExports', 'progress', 'synchronizedEntryCountByType', 'steadyStateFirstAchievedTime', 'countSuccessiveCompleteFailures', 'escrowsPruned']) {
        assert.ok(field in status.body.status, field);
      }
      const list = await call('GET', `${base}/jobs`);
      assert.deepEqual(list.body.value.map((j: { id: string }) => j.id), [job.body.id]);
    });

    test('pause, restart with resetScope flags, and the engine sees the request', async () => {
      const { jobId, base } = await configuration('pause.example.com');
      assert.equal((await call('PUT', `${base}/secrets`, domainSecrets('pause.example.com'))).status, 204);
      assert.equal((await call('POST', `${base}/jobs/${jobId}/start`)).status, 204);
      assert.equal((await call('POST', `${base}/jobs/${jobId}/pause`)).status, 204);
      let job = await call('GET', `${base}/jobs/${jobId}`);
      assert.equal(job.body.schedule.state, 'Paused');
      assert.equal(job.body.status.code, 'Paused');
      assert.equal((await api.synchronization.listRunnableJobs(new Date())).some((due) => due.jobId === jobId), false);

      const restart = await call('POST', `${base}/jobs/${jobId}/restart`, { criteria: { resetScope: 'Watermark, Escrows, QuarantineState, Full, ForceDeletes' } });
      assert.equal(restart.status, 204);
      job = await call('GET', `${base}/jobs/${jobId}`);
      assert.equal(job.body.status.code, 'Active');
      const snapshot = await api.synchronization.readJob(api.tenant.tenantId, jobId);
      assert.deepEqual(snapshot.requests.restart?.resetScope, ['Watermark', 'Escrows', 'QuarantineState', 'Full', 'ForceDeletes']);
      assert.equal(snapshot.requests.fullReevaluation, true);
      assert.ok((await api.synchronization.listRunnableJobs(new Date())).some((due) => due.jobId === jobId));

      const bad = await call('POST', `${base}/jobs/${jobId}/restart`, { criteria: { resetScope: 'Watermark, Everything' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'Request_BadRequest');
      assert.match(bad.body.error.message, /criteria\.resetScope: 'Everything' is not a synchronizationJobRestartScope flag/);
      // no body at all: the portal's "Restart sync"
      assert.equal((await call('POST', `${base}/jobs/${jobId}/restart`)).status, 204);
    });

    test('schedule interval: PATCH sets it; below PT10S or not a duration is a 400 saying where', async () => {
      const { jobId, base } = await configuration('interval.example.com');
      assert.equal((await call('PATCH', `${base}/jobs/${jobId}`, { schedule: { interval: 'PT10M' } })).status, 204);
      assert.equal((await call('GET', `${base}/jobs/${jobId}`)).body.schedule.interval, 'PT10M');
      assert.equal((await api.synchronization.readJob(api.tenant.tenantId, jobId)).intervalSeconds, 600);
      const short = await call('PATCH', `${base}/jobs/${jobId}`, { schedule: { interval: 'PT5S' } });
      assert.equal(short.status, 400);
      assert.match(short.body.error.message, /schedule\.interval PT5S is shorter than the minimum interval PT10S/);
      const garbage = await call('PATCH', `${base}/jobs/${jobId}`, { schedule: { interval: '10 minutes' } });
      assert.equal(garbage.status, 400);
      assert.match(garbage.body.error.message, /schedule\.interval must be an ISO 8601 duration/);
      const state = await call('PATCH', `${base}/jobs/${jobId}`, { schedule: { state: 'Active' } });
      assert.equal(state.status, 400);
      assert.match(state.body.error.message, /start and …\/pause/);
      assert.equal((await call('GET', `${base}/jobs/${jobId}`)).body.schedule.interval, 'PT10M', 'unchanged by refused patches');
    });

    test('bad input is a 400 naming what and where; nothing is half-written', async () => {
      const unknownTemplate = await call('POST', `/v1.0/applicationTemplates/00000000-0000-0000-0000-000000000000/instantiate`, { displayName: 'x' });
      assert.equal(unknownTemplate.status, 404);
      const { sp, jobId, base } = await configuration('bad.example.com');
      const badJob = await call('POST', `${base}/jobs`, { templateId: 'NoSuchTemplate' });
      assert.equal(badJob.status, 400);
      assert.match(badJob.body.error.message, /unknown synchronization template "NoSuchTemplate"; known templates: AD2AADProvisioning/);
      const twice = await call('POST', `${base}/jobs`, { templateId: 'AD2AADProvisioning' });
      assert.equal(twice.status, 409);
      assert.equal((await call('GET', `${base}/jobs`)).body.value.length, 1);

      const schema = (await call('GET', `${base}/jobs/${jobId}/schema`)).body;
      const original = JSON.stringify(schema);
      schema.synchronizationRules[0].objectMappings[0].attributeMappings[0].source = { expression: 'Join(", "', type: 'Function', name: '', parameters: [] };
      const invalid = await call('PUT', `${base}/jobs/${jobId}/schema`, schema);
      assert.equal(invalid.status, 400);
      assert.match(invalid.body.error.message, /synchronizationRules\[0\]\.objectMappings\[0\]\.attributeMappings\[0\]/);
      const kept = (await call('GET', `${base}/jobs/${jobId}/schema`)).body;
      assert.equal(JSON.stringify(kept), original);

      const badDomain = await call('PUT', `${base}/secrets`, { value: [{ key: 'Domain', value: '{"domain":"not a domain"}' }] });
      assert.equal(badDomain.status, 400);
      assert.match(badDomain.body.error.message, /value\[0\]\.value: "domain" must be the DNS name/);
      const badShape = await call('PUT', `${base}/secrets`, { value: 'x' });
      assert.equal(badShape.status, 400);

      const notReady = await call('POST', `${base}/jobs/${jobId}/start`);
      assert.equal(notReady.status, 400);
      assert.match(notReady.body.error.message, /no AD domain yet: PUT \/servicePrincipals\/.*\/synchronization\/secrets/);

      const missing = await call('GET', `/v1.0/servicePrincipals/${sp}/synchronization/jobs/AD2AADProvisioning.00.00`);
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, 'Request_ResourceNotFound');
    });

    test('one configuration per AD domain in a tenant, any case; other tenants are unaffected', async () => {
      const first = await configuration('dup.example.com');
      assert.equal((await call('PUT', `${first.base}/secrets`, domainSecrets('dup.example.com'))).status, 204);
      const second = await configuration('dup2');
      const refused = await call('PUT', `${second.base}/secrets`, domainSecrets('DUP.example.com'));
      assert.equal(refused.status, 409);
      assert.match(refused.body.error.message, /The AD domain dup\.example\.com is already configured by the configuration 'dup\.example\.com'.*one configuration per AD domain/);
      // the same principal may re-put its own domain
      assert.equal((await call('PUT', `${first.base}/secrets`, domainSecrets('dup.example.com'))).status, 204);

      const other = await api.newTenant();
      const elsewhere = await configuration('dup.example.com', other.auth);
      assert.equal((await call('PUT', `${elsewhere.base}/secrets`, domainSecrets('dup.example.com'), other.auth)).status, 204);
    });

    test('tenant confinement and roles', async () => {
      const { sp, jobId, base } = await configuration('mine.example.com');
      const other = await api.newTenant();
      assert.equal((await call('GET', `${base}/jobs/${jobId}`, undefined, other.auth)).status, 404);
      assert.equal((await call('POST', `${base}/jobs/${jobId}/start`, undefined, other.auth)).status, 404);
      assert.equal((await call('GET', `/v1.0/servicePrincipals/${sp}`, undefined, other.auth)).status, 404);
      assert.ok(!(await call('GET', '/v1.0/servicePrincipals', undefined, other.auth)).body.value.some((p: { id: string }) => p.id === sp));

      const directoryOnly = await api.authWithRoles(['Directory.ReadWrite.All']);
      const refused = await call('GET', `${base}/jobs/${jobId}`, undefined, directoryOnly);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'Authorization_RequestDenied');
      assert.match(refused.body.error.message, /Synchronization\.ReadWrite\.All/);
      assert.equal((await call('GET', `/v1.0/servicePrincipals/${sp}`, undefined, directoryOnly)).status, 200);

      const syncOnly = await api.authWithRoles(['Synchronization.ReadWrite.All']);
      assert.equal((await call('GET', `${base}/jobs/${jobId}`, undefined, syncOnly)).status, 200);
      assert.equal((await call('PATCH', `${base}/jobs/${jobId}`, { schedule: { interval: 'PT1H' } }, syncOnly)).status, 204);
      const readOnly = await api.authWithRoles(['Directory.Read.All']);
      assert.equal((await call('POST', `/v1.0/applicationTemplates/${TEMPLATE}/instantiate`, { displayName: 'x' }, readOnly)).status, 403);
      assert.equal((await call('GET', `${base}/jobs`, undefined, {} as { authorization: string })).status, 401);
    });

    test('delete a job, then the service principal', async () => {
      const { sp, jobId, base } = await configuration('gone.example.com');
      assert.equal((await call('PUT', `${base}/secrets`, domainSecrets('gone.example.com'))).status, 204);
      assert.equal((await call('DELETE', `${base}/jobs/${jobId}`)).status, 204);
      assert.equal((await call('GET', `${base}/jobs/${jobId}`)).status, 404);
      assert.equal((await call('DELETE', `/v1.0/servicePrincipals/${sp}`)).status, 204);
      assert.equal((await call('GET', `/v1.0/servicePrincipals/${sp}`)).status, 404);
      // the domain is free again
      const again = await configuration('gone.example.com');
      assert.equal((await call('PUT', `${again.base}/secrets`, domainSecrets('gone.example.com'))).status, 204);
    });
  });
}

function execution(state: 'Succeeded' | 'Failed', exported: number) {
  return {
    activityIdentifier: 'a1', countEntitled: 0, countEntitledForProvisioning: 0, countEscrowed: 0, countEscrowedRaw: 0,
    countExported: exported, countExports: exported, countImported: 3, countImportedDeltas: 0, countImportedReferenceDeltas: 0,
    error: null, state, timeBegan: '2026-01-01T00:00:00.000Z', timeEnded: '2026-01-01T00:00:05.000Z',
  } as const;
}
