/**
 * The Graph API with synchronization configurations over a real store (both backends): like api-harness.ts's
 * startApi, plus the synchronization store built on the same store before the app is.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/api/app.ts';
import type { CreatedTenant } from '../../../src/directory/index.ts';
import type { AppRole } from '../../../src/directory/app-roles.ts';
import { createDeleteProtectionStore, createSynchronizationStore, type DeleteProtectionStore, type SynchronizationStore } from '../../../src/synchronization/index.ts';
import { openDirectory, type Backend, type DirectoryBackend } from '../api-harness.ts';

export interface SyncApiFixture extends DirectoryBackend {
  readonly app: FastifyInstance;
  readonly synchronization: SynchronizationStore;
  /** Held deletions, served by …/jobs/{jobId}/pendingDeletes; give it to a scheduler to fill it. */
  readonly pendingDeletes: DeleteProtectionStore;
  readonly tenant: CreatedTenant;
  readonly auth: { authorization: string };
  /** Bearer headers for a new client of `tenantId` (default: this fixture's tenant) holding only `roles`. */
  authWithRoles(roles: readonly AppRole[], tenant?: CreatedTenant): Promise<{ authorization: string }>;
  newTenant(): Promise<CreatedTenant & { auth: { authorization: string } }>;
}

export async function startSyncApi(backend: Backend, options: { clock?: () => Date; https?: { key: string; cert: string } } = {}): Promise<SyncApiFixture> {
  const opened = await openDirectory(backend, options.clock);
  const { directory, store } = opened;
  const synchronization = createSynchronizationStore(store, directory, { secretsKey: randomBytes(32), ...(options.clock ? { clock: options.clock } : {}) });
  const pendingDeletes = createDeleteProtectionStore(store);
  const app = buildApp({ directory, signingKey: await directory.getOrCreateSigningKey(), synchronization, pendingDeletes, ...(options.clock ? { clock: options.clock } : {}), ...(options.https ? { https: options.https } : {}) });
  await app.ready();

  async function tokenFor(tenantId: string, clientId: string, clientSecret: string): Promise<string> {
    const response = await app.inject({
      method: 'POST',
      url: `/${tenantId}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'https://graph.microsoft.com/.default' }).toString(),
    });
    if (response.statusCode !== 200) throw new Error(`token endpoint answered ${response.statusCode}: ${response.body}`);
    return (response.json() as { access_token: string }).access_token;
  }
  async function newTenant() {
    const tenant = await directory.createTenant({ name: `fabrikam${Math.floor(Math.random() * 1e9)}` });
    return { ...tenant, auth: { authorization: `Bearer ${await tokenFor(tenant.tenantId, tenant.clientId, tenant.clientSecret)}` } };
  }
  const tenant = await newTenant();
  return {
    ...opened,
    app,
    synchronization,
    pendingDeletes,
    tenant,
    auth: tenant.auth,
    newTenant,
    async authWithRoles(roles, owner = tenant) {
      const page = await directory.list(owner.tenantId, 'application', { top: 999 });
      const admin = page.items.find((application) => application.appId === owner.clientId);
      if (admin === undefined) throw new Error('admin application not found');
      const client = await directory.addClientSecret(owner.tenantId, admin.id, roles);
      return { authorization: `Bearer ${await tokenFor(owner.tenantId, client.clientId, client.clientSecret)}` };
    },
    async close() {
      await app.close();
      await opened.close();
    },
  };
}
