/**
 * Starts the Graph API over a real directory on a real store (SQLite in a temp dir, or PostgreSQL from the
 * test harness), with a tenant and its admin client, and hands out tokens from the real token endpoint.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import type { ApiDeps } from '../../src/api/api-deps.ts';
import { createCloudDirectory, type CloudDirectory, type CreatedTenant } from '../../src/directory/index.ts';
import type { AppRole } from '../../src/directory/app-roles.ts';
import type { Store } from '../../src/storage/index.ts';
import { BACKENDS } from '../storage/backends.ts';

export type Backend = 'sqlite' | 'postgres';

/** The store backends of the contract suites (`CLOUDSYNC_TEST_BACKENDS=sqlite` narrows them). */
export function selectedBackends(): readonly Backend[] {
  return BACKENDS.map((backend) => backend.name);
}

/** For suites that run once: the first selected backend (SQLite unless narrowed to PostgreSQL). */
export function defaultBackend(): Backend {
  const first = selectedBackends()[0];
  if (first === undefined) throw new Error('CLOUDSYNC_TEST_BACKENDS selects no known backend');
  return first;
}

export interface DirectoryBackend {
  readonly store: Store;
  readonly directory: CloudDirectory;
  close(): Promise<void>;
}

export async function openDirectory(name: Backend, clock?: () => Date): Promise<DirectoryBackend> {
  const backend = BACKENDS.find((candidate) => candidate.name === name);
  if (backend === undefined) throw new Error(`backend ${name} is not selected (CLOUDSYNC_TEST_BACKENDS)`);
  const { store, dispose } = await backend.open();
  return { store, directory: createCloudDirectory(store, clock === undefined ? {} : { clock }), close: dispose };
}

export interface ApiFixture extends DirectoryBackend {
  readonly app: FastifyInstance;
  readonly tenant: CreatedTenant;
  /** A token for the tenant's admin client (every role). */
  readonly token: string;
  /** Bearer headers for `token`. */
  readonly auth: { authorization: string };
  tokenFor(clientId: string, clientSecret: string, tenantId?: string): Promise<string>;
  /** A client of the tenant holding only `roles`. */
  clientWithRoles(roles: readonly AppRole[]): Promise<{ clientId: string; clientSecret: string }>;
}

export async function startApi(backend: Backend, options: Partial<ApiDeps> & { tenantName?: string } = {}): Promise<ApiFixture> {
  const opened = await openDirectory(backend, options.clock);
  const { directory } = opened;
  const signingKey = await directory.getOrCreateSigningKey();
  const app = buildApp({ directory, signingKey, ...options });
  await app.ready();
  const tenant = await directory.createTenant({ name: options.tenantName ?? `contoso${Math.floor(Math.random() * 1e9)}` });

  async function tokenFor(clientId: string, clientSecret: string, tenantId = tenant.tenantId): Promise<string> {
    const response = await app.inject({
      method: 'POST',
      url: `/${tenantId}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
        scope: 'https://graph.microsoft.com/.default',
      }).toString(),
    });
    if (response.statusCode !== 200) throw new Error(`token endpoint answered ${response.statusCode}: ${response.body}`);
    return (response.json() as { access_token: string }).access_token;
  }

  const token = await tokenFor(tenant.clientId, tenant.clientSecret);
  return {
    ...opened,
    app,
    tenant,
    token,
    auth: { authorization: `Bearer ${token}` },
    tokenFor,
    async clientWithRoles(roles) {
      const page = await directory.list(tenant.tenantId, 'application', { top: 999 });
      const admin = page.items.find((application) => application.appId === tenant.clientId);
      if (admin === undefined) throw new Error('admin application not found');
      return directory.addClientSecret(tenant.tenantId, admin.id, roles);
    },
    async close() {
      await app.close();
      await opened.close();
    },
  };
}
