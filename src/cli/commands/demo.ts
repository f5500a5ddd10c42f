import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { SAMPLE_TENANT_NAME, seedSampleTenant } from '../../demo/sample-tenant.ts';
import { DEFAULTS } from '../../server/defaults.ts';
import { createLogger, startServer, type RunningServer } from '../../server/server.ts';
import { CloudsyncError } from '../../errors/index.ts';
import { parsePort } from '../options.ts';
import { ServiceConnection } from '../service-connection.ts';
import { waitForShutdown } from './server.ts';

interface DemoOptions {
  port: string;
  data?: string;
  exitWhenReady?: boolean;
}

/**
 * `npm run demo`: the whole service on embedded storage with a sample tenant, checked end to end through its
 * own API before it tells the user it is ready, so the instructions it prints are known to work.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description('start the service on embedded storage with a sample tenant and print how to call it')
    .option('--port <n>', 'port to listen on (falls back to a free port when taken)', String(DEFAULTS.port.value))
    .option('--data <dir>', 'keep the demo database in this directory (default: a temporary one, removed on exit)')
    .option('--exit-when-ready', 'stop after the self-check instead of serving until Ctrl-C')
    .action(async (options: DemoOptions) => {
      const dataDir = options.data ?? (await mkdtemp(join(tmpdir(), 'cloudsync-demo-')));
      const temporary = options.data === undefined;
      const logger = createLogger('warn');
      let server: RunningServer;
      try {
        server = await startServer({ dataDir, port: parsePort(options.port), logger });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
        server = await startServer({ dataDir, port: 0, logger });
      }
      const stop = async (): Promise<void> => {
        await server.close();
        if (temporary) await rm(dataDir, { recursive: true, force: true });
      };
      try {
        await announce(server, dataDir);
      } catch (error) {
        await stop();
        throw error;
      }
      if (options.exitWhenReady === true) {
        await stop();
        return;
      }
      process.stdout.write('\nPress Ctrl-C to stop.\n');
      await waitForShutdown(stop);
    });
}

async function announce(server: RunningServer, dataDir: string): Promise<void> {
  let created;
  try {
    created = await server.directory.createTenant({ name: SAMPLE_TENANT_NAME });
  } catch (error) {
    if (error instanceof CloudsyncError && error.code === 'ERR_DIR_DOMAIN_CONFLICT') {
      throw new CloudsyncError(
        'ERR_CLI_USAGE',
        `the demo tenant already exists in ${dataDir}; give --data a new directory, or omit --data for a temporary one`,
      );
    }
    throw error;
  }
  const seeded = await seedSampleTenant(server.directory, created.tenantId);
  const connection = new ServiceConnection({ service: server.url, ...created });
  const listed = await connection.request<{ value: unknown[] }>('GET', '/v1.0/users?$top=999&$select=id');
  const u = server.url;
  const tokenUrl = `${u}/${created.tenantId}/oauth2/v2.0/token`;
  process.stdout.write(
    [
      `cloudsync demo: service at ${u} (SQLite in ${dataDir})`,
      `Sample tenant "${SAMPLE_TENANT_NAME}": ${seeded.users} users, ${seeded.groups} groups (nested), ${seeded.contacts} contact.`,
      `Self-check: token issued, ${listed.value.length} users listed through /v1.0/users.`,
      '',
      'Credentials (an admin application holding every role):',
      `  tenant id:     ${created.tenantId}`,
      `  client id:     ${created.clientId}`,
      `  client secret: ${created.clientSecret}`,
      '',
      'Get a token (OAuth 2.0 client credentials), then call the Graph-compatible API:',
      `  TOKEN=$(curl -s ${tokenUrl} -d grant_type=client_credentials -d client_id=${created.clientId} \\`,
      `    --data-urlencode 'client_secret=${created.clientSecret}' -d scope=https://graph.microsoft.com/.default \\`,
      `    | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
      `  curl -s -H "Authorization: Bearer $TOKEN" '${u}/v1.0/users?$top=5&$select=displayName,userPrincipalName'`,
      `  curl -s -H "Authorization: Bearer $TOKEN" "${u}/v1.0/users?\\$filter=department%20eq%20'Engineering'"`,
      `  curl -s -H "Authorization: Bearer $TOKEN" '${u}/v1.0/groups?$select=id,displayName'`,
      `  curl -s -H "Authorization: Bearer $TOKEN" '${u}/v1.0/users/delta'`,
      '',
      'Or store the credentials once for the CLI:',
      `  printf '%s' '${created.clientSecret}' > demo-secret && chmod 600 demo-secret`,
      `  npx cloudsync login --service ${u} --tenant-id ${created.tenantId} --client-id ${created.clientId} --client-secret-file demo-secret`,
    ].join('\n') + '\n',
  );
}
