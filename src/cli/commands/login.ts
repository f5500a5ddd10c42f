import { Command } from 'commander';
import { credentialsFilePath, writeCredentials } from '../credentials-file.ts';
import { resolveServiceCredentials, ServiceConnection } from '../service-connection.ts';

/**
 * `cloudsync login`: checks the credentials against the service (a token must be issued) before storing
 * them, so a typo is reported now rather than by every later command.
 */
export function loginCommand(): Command {
  return new Command('login')
    .description('check client credentials against a running service and store them (mode 0600) for later commands')
    .option('--service <url>', 'service URL, e.g. http://127.0.0.1:5480 (env CLOUDSYNC_SERVICE)')
    .option('--tenant-id <id>', 'tenant id (env CLOUDSYNC_TENANT_ID)')
    .option('--client-id <id>', 'application (client) id (env CLOUDSYNC_CLIENT_ID)')
    .option('--client-secret-file <file>', 'file holding the client secret (env CLOUDSYNC_CLIENT_SECRET)')
    .action(async (options: { service?: string; tenantId?: string; clientId?: string; clientSecretFile?: string }) => {
      const credentials = await resolveServiceCredentials(options);
      await new ServiceConnection(credentials).token();
      const path = credentialsFilePath();
      await writeCredentials(path, credentials);
      process.stdout.write(`logged in to ${credentials.service} as ${credentials.clientId}; credentials stored in ${path}\n`);
    });
}
