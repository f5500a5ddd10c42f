/**
 * Starts the Graph API over a real directory on a real store (SQLite in a temp dir, or PostgreSQL from the
 * test harness), with a tenant and its admin client, and hands out tokens from the real token endpoint.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import type { ApiDeps } from '../../src/api/api-deps.ts';
import { createCloudDirectory, type CloudDirectory, type CreatedTenant } from '../../src/directory/index.ts';
import type { AppRole } from '../../src/directory/app-roles.ts';
import { openStore, type Store } from '../../src/storage/index.ts';
import { createTestDatabase } from '../harness/postgres.ts';

export const BACKENDS = ['sqlite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

/** `CLOUDSYNC_TEST_BACKENDS=sqlite` limits a run to some backends. */
export function selectedBackends(): readonly Backend[] {
  const wanted = process.env['CLOUDSYNC_TEST_BACKENDS'];
  if (wanted === undefined || wanted === '') return BACKENDS;
  return BACKENDS.filter((backend) => wanted.split(',').includes(backend));
}

export interface DirectoryBackend {
  readonly store: Store;
  readonly directory: CloudDirectory;
  close(): Promise<void>;
}

export async function openDirectory(backend: Backend, clock?: () => Date): Promise<DirectoryBackend> {
  if (backend === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'cloudsync-api-'));
    const store = await openStore({ dataDir });
    return {
      store,
      directory: createCloudDirectory(store, clock === undefined ? {} : { clock }),
      async close() {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const store = await openStore({ databaseUrl: await createTestDatabase('cloudsync_api') });
  return { store, directory: createCloudDirectory(store, clock === undefined ? {} : { clock }), close: () => store.close() };
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
