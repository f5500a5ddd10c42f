/**
 * POST …/jobs/{jobId}/provisionOnDemand through the service (startServer with the embedded agent reading a real,
 * throwaway Samba AD DC), with a configuration scoped to OU=Sales: Graph's response shape, a user outside the
 * scope (the steps say so; a dry run — through the API and through `cloudsync provision --dry-run` — writes
 * nothing: not the directory, the connector space or the provisioning log), a real run seen through /v1.0 and /auditLogs/provisioning, a group with two named members, bad requests
 * with Graph errors naming what and where, a job whose domain no agent serves, and the rate limit (429 +
 * Retry-After). Skipped where Samba cannot run (needs root).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { pino } from 'pino';
import { SqlConnectorSpace } from '../../../src/engine/index.ts';
import { embeddedAgentFromFlags, type EmbeddedAgent } from '../../../src/server/embedded-agent.ts';
import { startServer, type RunningServer } from '../../../src/server/server.ts';
import { connectorSpaceIdOf } from '../../../src/synchronization/index.ts';
import { addAdGroup, addOu, sambaUnavailableReason, seedAdUsers, startSamba, type SambaDc } from '../../harness/samba.ts';
import { runCli } from '../../cli/run-cli.ts';

const skip = sambaUnavailableReason();
const DOMAIN = 'corp.example.com';

interface GraphResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

describe('provisionOnDemand ← Samba AD through the API', { skip }, () => {
  let dc: SambaDc;
  let admin: Client;
  let agent: EmbeddedAgent;
  let server: RunningServer;
  let dir: string;
  let token: string;
  let tenantId: string;
  let clientId: string;
  let clientSecret: string;
  let spId: string;
  let jobId: string;
  let sales: string;
  let engineering: string;

  /** `patient`: a well-behaved Graph client, waiting Retry-After when throttled (the tests call faster than 5 per 2 s). */
  async function call(method: string, path: string, body?: unknown, patient = true): Promise<GraphResponse> {
    for (;;) {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (response.status === 429 && patient) {
        await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after')) * 1000));
        continue;
      }
      return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
    }
  }

  const onDemandPath = (job = jobId, sp = spId, dryRun = false) =>
    `/v1.0/servicePrincipals/${sp}/synchronization/jobs/${job}/provisionOnDemand${dryRun ? '?dryRun=true' : ''}`;
  const body = (objectId: string, objectTypeName = 'user', members?: string[]) => ({
    parameters: [{ ruleId: 'AD2AADProvisioning', subjects: [{ objectId, objectTypeName, ...(members === undefined ? {} : { links: { members: members.map((m) => ({ objectId: m, objectTypeName: 'user' })) } }) }] }],
  });
  /** Graph's stringKeyStringValuePair, both halves parsed. */
  async function provision(objectId: string, options: { dryRun?: boolean; objectTypeName?: string; members?: string[] } = {}) {
    const response = await call('POST', onDemandPath(jobId, spId, options.dryRun), body(objectId, options.objectTypeName, options.members));
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.match(String(response.body['@odata.context']), /\$metadata#microsoft\.graph\.stringKeyStringValuePair$/);
    return { key: JSON.parse(String(response.body['key'])) as { result: string; details: Record<string, string> }, value: JSON.parse(String(response.body['value'])) };
  }
  const users = async () => ((await call('GET', '/v1.0/users?$top=999')).body['value'] as { displayName: string; id: string }[]).map((u) => u.displayName).sort();
  const provisioningLog = async () => (await call('GET', '/v1.0/auditLogs/provisioning?$top=999')).body['value'] as { sourceIdentity: { details?: Record<string, string>; id: string }; provisioningAction: string }[];
  const entry = async (dn: string) => {
    const object = await agent.source.readObject(dn);
    const space = new SqlConnectorSpace(server.store, connectorSpaceIdOf(tenantId, jobId));
    return (await space.get([Buffer.from(object!.anchors.objectGuidBytes!).toString('base64')])).get(Buffer.from(object!.anchors.objectGuidBytes!).toString('base64'));
  };

  before(async () => {
    dc = await startSamba();
    admin = await dc.admin();
    const corp = `OU=Corp,${dc.baseDn}`;
    sales = `OU=Sales,${corp}`;
    engineering = `OU=Engineering,${corp}`;
    await addOu(admin, corp);
    await addOu(admin, sales);
    await addOu(admin, engineering);
    await seedAdUsers(admin, sales, 3, { prefix: 'sales' });
    await seedAdUsers(admin, engineering, 1, { prefix: 'eng' });
    await addAdGroup(admin, `CN=Sales Team,${sales}`, [`CN=sales00001,${sales}`, `CN=sales00002,${sales}`, `CN=eng00001,${engineering}`]);

    dir = await mkdtemp(join(tmpdir(), 'cloudsync-on-demand-'));
    const passwordFile = join(dir, 'bind-password');
    await writeFile(passwordFile, `${dc.adminPassword}\n`, { mode: 0o600 });
    await chmod(passwordFile, 0o600);
    agent = (await embeddedAgentFromFlags({ embeddedAgent: true, domain: DOMAIN, ldapUrl: dc.url, bindDn: dc.adminDn, bindPasswordFile: passwordFile }))!;
    server = await startServer({ dataDir: join(dir, 'data'), port: 0, agents: [agent], logger: pino({ level: process.env['OD_DEBUG'] ? 'error' : 'silent' }), schedulerPollMs: 60_000, onDemandRateLimit: 5, onDemandRateWindow: 2 });
    const tenant = await server.directory.createTenant({ name: `ondemand${process.pid}` });
    ({ tenantId, clientId, clientSecret } = tenant);
    const tokenResponse = await fetch(`${server.url}/${tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: tenant.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
    });
    token = ((await tokenResponse.json()) as { access_token: string }).access_token;

    // Microsoft's documented sequence: instantiate, create the job, PUT the Domain secret; then scope the rule to
    // OU=Sales (pinned by objectGUID) with a schema PUT. The job is never started: on-demand is how one tests first.
    const created = await call('POST', '/v1.0/applicationTemplates/1a4721b3-e57f-4451-ae87-ef078703ec94/instantiate', { displayName: DOMAIN });
    spId = (created.body['servicePrincipal'] as { id: string }).id;
    jobId = String((await call('POST', `/v1.0/servicePrincipals/${spId}/synchronization/jobs`, { templateId: 'AD2AADProvisioning' })).body['id']);
    assert.equal((await call('PUT', `/v1.0/servicePrincipals/${spId}/synchronization/secrets`, { value: [{ key: 'Domain', value: JSON.stringify({ domain: DOMAIN }) }] })).status, 204);
    const schema = (await call('GET', `/v1.0/servicePrincipals/${spId}/synchronization/jobs/${jobId}/schema`)).body as { synchronizationRules: { containerFilter: { includedContainers: string[] } }[] };
    const ou = await agent.source.readObject(sales);
    schema.synchronizationRules[0]!.containerFilter.includedContainers = [`<GUID=${ou!.anchors.objectGuid}>;${sales}`];
    delete (schema as Record<string, unknown>)['@odata.context'];
    const put = await call('PUT', `/v1.0/servicePrincipals/${spId}/synchronization/jobs/${jobId}/schema`, schema);
    assert.equal(put.status, 204, JSON.stringify(put.body));
  });

  after(async () => {
    await server?.close();
    await agent?.close();
    await dc?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('a user outside the OU scope, dry run: the scope step says so and nothing is written', async () => {
    const eng = `CN=eng00001,${engineering}`;
    const logBefore = (await provisioningLog()).length;
    const { key, value } = await provision(eng, { dryRun: true });
    assert.equal(key.result, 'Skipped');
    assert.equal(key.details['errorCode'], 'NotInScope');
    assert.deepEqual(value.provisioningSteps.map((s: { type: string }) => s.type), ['Import', 'Scoping', 'Matching', 'Export']);
    const scoping = value.provisioningSteps[1];
    assert.equal(scoping.name, 'EntrySynchronizationScoping');
    assert.equal(scoping.status, 'Skipped');
    assert.equal(scoping.details['Included in the scheduled run'], 'False');
    assert.match(scoping.details['Scheduled run'], /does not include this object: it is not in any of the included organizational units/);
    assert.equal(value.scope.container.configured, true);
    assert.equal(value.scope.container.result, false);
    assert.equal(value.dryRun, true);
    assert.equal(value.provisioningSteps[0].details['sAMAccountName'], 'eng00001');
    assert.equal(value.sourceSystem.name, 'Active Directory');
    assert.deepEqual(await users(), []);
    assert.equal(await entry(eng), undefined);
    assert.equal((await provisioningLog()).length, logBefore);
  });

  test('the same through cloudsync provision --dry-run: the steps say so, and nothing is written', async () => {
    const eng = `CN=eng00001,${engineering}`;
    const logBefore = (await provisioningLog()).length;
    const run = await runCli(['provision', '--config', DOMAIN, '--dn', eng, '--dry-run'], {
      env: {
        CLOUDSYNC_SERVICE: server.url, CLOUDSYNC_TENANT_ID: tenantId, CLOUDSYNC_CLIENT_ID: clientId, CLOUDSYNC_CLIENT_SECRET: clientSecret,
        CLOUDSYNC_CREDENTIALS_FILE: join(dir, 'no-credentials.json'),
      },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\(dry run: nothing was written\)/);
    assert.match(run.stdout, /^2\. – Determine if in scope — Skipped: /m);
    assert.match(run.stdout, new RegExp(`The scheduled run does not include this object: it is not in any of the included organizational units \\(${sales.replace(/[.]/g, '\\.')}\\)`));
    assert.match(run.stdout, /^4\. – Perform action — Skipped: user 'eng00001@corp\.example\.com' is not provisioned: it is out of scope/m);
    assert.deepEqual(await users(), []);
    assert.equal(await entry(eng), undefined);
    assert.equal((await provisioningLog()).length, logBefore);
  });

  test('a user in scope: the dry run plans the create; the real run makes it, logs it, and a second run finds nothing to do', async () => {
    const dn = `CN=sales00003,${sales}`;
    const dry = await provision(dn, { dryRun: true });
    assert.equal(dry.key.result, 'Success');
    assert.equal(dry.value.action, 'Create');
    assert.equal(dry.value.provisioningSteps[3].name, 'EntryExportAdd');
    assert.match(dry.value.provisioningSteps[3].description, /^Dry run: user 'sales00003@corp\.example\.com' would be created/);
    assert.deepEqual(await users(), []);
    assert.equal(await entry(dn), undefined);

    const real = await provision(dn);
    assert.equal(real.value.action, 'Create');
    assert.equal(real.value.provisioningSteps[2].details['Matching attribute'], 'onPremisesImmutableId');
    assert.equal(real.value.provisioningSteps[2].details['Candidates found'], '0');
    assert.deepEqual(await users(), ['Test sales00003']);
    const user = ((await call('GET', `/v1.0/users/${real.value.targetIdentity.id}`)).body);
    assert.equal(user['onPremisesSamAccountName'], 'sales00003');
    assert.equal(user['onPremisesDistinguishedName'], dn);
    assert.equal((await entry(dn))?.cloudId, real.value.targetIdentity.id);
    const logged = (await provisioningLog()).filter((e) => e.sourceIdentity.id === real.value.sourceIdentity.id);
    assert.equal(logged.length, 1);
    assert.equal(logged[0]!.provisioningAction, 'create');

    const again = await provision(dn);
    assert.equal(again.key.result, 'Skipped');
    assert.equal(again.key.details['errorCode'], 'RedundantExport');
    assert.equal(again.value.provisioningSteps[3].name, 'EntrySynchronizationSkip');
  });

  test('a group with two named members: both provisioned and linked; the out-of-scope member is not', async () => {
    const { value } = await provision(`CN=Sales Team,${sales}`, { objectTypeName: 'group', members: [`CN=sales00001,${sales}`, `CN=eng00001,${engineering}`] });
    assert.equal(value.action, 'Create');
    assert.deepEqual(value.members.map((m: { action: string; statusInfo: { status: string } }) => [m.action, m.statusInfo.status]), [['Create', 'Success'], ['Other', 'Skipped']]);
    assert.deepEqual(value.memberReferences.map((m: { linked: boolean }) => m.linked), [true, false]);
    const members = (await call('GET', `/v1.0/groups/${value.targetIdentity.id}/members`)).body['value'] as { displayName: string }[];
    assert.deepEqual(members.map((m) => m.displayName).sort(), ['Test sales00001']);
  });

  test('two runs for the same new group at once create it once', async () => {
    await addAdGroup(admin, `CN=Parallel Team,${sales}`, [`CN=sales00002,${sales}`]);
    const results = await Promise.all([1, 2, 3, 4].map(() => provision(`CN=Parallel Team,${sales}`, { objectTypeName: 'group' })));
    assert.deepEqual(results.map((r) => r.value.action).sort(), ['Create', 'Other', 'Other', 'Other']);
    const groups = (await call('GET', '/v1.0/groups?$top=999')).body['value'] as { displayName: string }[];
    assert.equal(groups.filter((g) => g.displayName === 'Parallel Team').length, 1);
  });

  test('bad requests: Graph errors that name what and where; nothing written', async () => {
    const before = JSON.stringify([await users(), (await provisioningLog()).length]);
    const expect = async (request: unknown, status: number, code: string, message: RegExp, path = onDemandPath()) => {
      const response = await call('POST', path, request);
      assert.equal(response.status, status, JSON.stringify(response.body));
      const error = response.body['error'] as { code: string; message: string };
      assert.equal(error.code, code);
      assert.match(error.message, message);
      assert.doesNotMatch(JSON.stringify(response.body), /at .*\.ts:\d+/);
    };
    await expect(body(`CN=nobody,${sales}`), 404, 'Request_ResourceNotFound', /objectId: no object 'CN=nobody,OU=Sales,OU=Corp,DC=corp,DC=example,DC=com' in the directory of domain corp\.example\.com/);
    await expect(body('CN=sales00001;OU=Sales'), 400, 'Request_BadRequest', /parameters\[0\]\.subjects\[0\]\.objectId: 'CN=sales00001;OU=Sales' is not a distinguished name: it has an unescaped ';'/);
    await expect(body(`CN=Sales Team,${sales}`), 400, 'Request_BadRequest', /'CN=Sales Team,.*' is a group .* not a user; set objectTypeName to group/);
    await expect(body(`CN=sales00001,${sales}`, 'group', [`CN=sales00002,${sales}`]), 400, 'Request_BadRequest', /is a user .* not a group/);
    await expect({ parameters: [{ subjects: [] }] }, 400, 'Request_BadRequest', /parameters\[0\]\.subjects: must be an array with exactly one subject/);
    await expect({ parameters: [{ ruleId: 'AD2AADProvisioning', subjects: [{ objectId: `CN=sales00001,${sales}` }] }] }, 400, 'Request_BadRequest', /subjects\[0\]\.objectTypeName: required/);
    await expect(body(`CN=sales00001,${sales}`), 404, 'Request_ResourceNotFound', /synchronizationJob/, onDemandPath('no-such-job'));
    assert.equal(JSON.stringify([await users(), (await provisioningLog()).length]), before);
  });

  test('a job whose domain no agent serves: 503 HybridIdentityServiceNoActiveAgents naming the domain; then the rate limit', async () => {
    // the main job's own window (2 s) empties first, so that only the other job's calls can limit anything below
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const created = await call('POST', '/v1.0/applicationTemplates/1a4721b3-e57f-4451-ae87-ef078703ec94/instantiate', { displayName: 'branch.example.com' });
    const sp = (created.body['servicePrincipal'] as { id: string }).id;
    const job = String((await call('POST', `/v1.0/servicePrincipals/${sp}/synchronization/jobs`, { templateId: 'AD2AADProvisioning' })).body['id']);
    await call('PUT', `/v1.0/servicePrincipals/${sp}/synchronization/secrets`, { value: [{ key: 'Domain', value: JSON.stringify({ domain: 'branch.example.com' }) }] });
    for (let i = 0; i < 5; i++) {
      const response = await call('POST', onDemandPath(job, sp), body('CN=someone,DC=branch,DC=example,DC=com'), false);
      assert.equal(response.status, 503);
      const error = response.body['error'] as { code: string; message: string };
      assert.equal(error.code, 'HybridIdentityServiceNoActiveAgents');
      assert.match(error.message, /No agent for domain branch\.example\.com/);
    }
    const limited = await call('POST', onDemandPath(job, sp), body('CN=someone,DC=branch,DC=example,DC=com'), false);
    assert.equal(limited.status, 429);
    assert.equal((limited.body['error'] as { code: string }).code, 'TooManyRequests');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 2, String(retryAfter));
    // per job: the main configuration is not limited by the other's calls
    assert.equal((await call('POST', onDemandPath(jobId, spId, true), body(`CN=sales00002,${sales}`), false)).status, 200);
    // after Retry-After the limited job is served again
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    assert.equal((await call('POST', onDemandPath(job, sp), body('CN=someone,DC=branch,DC=example,DC=com'), false)).status, 503);
  });
});
