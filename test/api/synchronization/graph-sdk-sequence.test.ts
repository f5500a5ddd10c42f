/**
 * Microsoft's documented Cloud Sync setup over Graph ("Configure Cloud Sync using Microsoft Graph"), driven by
 * Microsoft's own Graph SDK for JavaScript against a real HTTPS listener: instantiate the template, create the
 * AD2AADProvisioning job, PUT the Domain/AppKey secrets, read and save the schema, start, read the status.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Client } from '@microsoft/microsoft-graph-client';
import { selectedBackends } from '../api-harness.ts';
import { loopbackCertificate } from '../tls-certificate.ts';
import { startSyncApi, type SyncApiFixture } from './synchronization-harness.ts';

for (const backend of selectedBackends()) {
  describe(`Graph SDK: Cloud Sync setup sequence (${backend})`, () => {
    let api: SyncApiFixture;
    let client: Client;

    before(async () => {
      api = await startSyncApi(backend, { https: loopbackCertificate() });
      await api.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = api.app.server.address() as AddressInfo;
      const base = `https://127.0.0.1:${port}`;
      // The issuer names the URL the token was asked at, so the token comes from the HTTPS listener itself.
      const response = await fetch(`${base}/${api.tenant.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: api.tenant.clientId, client_secret: api.tenant.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
      });
      assert.equal(response.status, 200);
      const { access_token: token } = (await response.json()) as { access_token: string };
      client = Client.init({ authProvider: (done) => done(null, token), baseUrl: base, defaultVersion: 'v1.0', customHosts: new Set(['127.0.0.1']) });
    });
    after(() => api.close());

    test('instantiate → job → secrets → schema → start → status', async () => {
      const { servicePrincipal } = (await client.api('/applicationTemplates/1a4721b3-e57f-4451-ae87-ef078703ec94/instantiate').post({ displayName: 'contoso.lab' })) as {
        servicePrincipal: { id: string };
      };
      const synchronization = `/servicePrincipals/${servicePrincipal.id}/synchronization`;
      const job = (await client.api(`${synchronization}/jobs`).post({ templateId: 'AD2AADProvisioning' })) as { id: string; schedule: { state: string } };
      assert.equal(job.schedule.state, 'Disabled');
      await client.api(`${synchronization}/secrets`).put({
        value: [
          { key: 'AppKey', value: '{"appKeyScenario":"AD2AADPasswordHash"}' },
          { key: 'Domain', value: '{"domain":"contoso.lab"}' },
        ],
      });
      const schema = (await client.api(`${synchronization}/jobs/${job.id}/schema`).get()) as { synchronizationRules: unknown[] };
      assert.ok(schema.synchronizationRules.length > 0);
      await client.api(`${synchronization}/jobs/${job.id}/schema`).put(schema);
      await client.api(`${synchronization}/jobs/${job.id}/start`).post({});
      const status = (await client.api(`${synchronization}/jobs/${job.id}`).get()) as { schedule: { state: string; interval: string }; status: { code: string } };
      assert.equal(status.schedule.state, 'Active');
      assert.equal(status.schedule.interval, 'PT2M');
      assert.equal(status.status.code, 'Active');
      await client.api(`${synchronization}/jobs/${job.id}/restart`).post({ criteria: { resetScope: 'Watermark, Escrows, QuarantineState' } });
      await client.api(`${synchronization}/jobs/${job.id}/pause`).post({});
      const snapshot = await api.synchronization.readJob(api.tenant.tenantId, job.id);
      assert.equal(snapshot.passwordHashSync, true);
      assert.equal(snapshot.domain, 'contoso.lab');
      assert.deepEqual(snapshot.requests.restart?.resetScope, ['Watermark', 'Escrows', 'QuarantineState']);
    });
  });
}
