import { Command } from 'commander';
import { DEFAULTS } from '../../server/defaults.ts';
import { openDirectory } from '../../server/server.ts';

/**
 * `cloudsync tenant create` works on the store directly (no running service needed): it is how the first
 * credentials come to exist, so it cannot require credentials itself. Whoever can run it can read the data
 * directory or the database anyway.
 */
export function tenantCommand(): Command {
  const tenant = new Command('tenant').description('manage tenants (works directly on the store)');
  tenant
    .command('create')
    .description('create a tenant and an admin application holding all roles; prints its client credentials once')
    .requiredOption('--name <name>', 'tenant name, a DNS label; its initial domain is <name>.onmicrosoft.example')
    .option('--data <dir>', 'directory of the embedded SQLite database', DEFAULTS.dataDir.value)
    .option('--database <url>', 'PostgreSQL instead of SQLite: postgres://user:password@host:port/db')
    .option('--json', 'print {"tenantId","clientId","clientSecret"} as JSON')
    .action(async (options: { name: string; data: string; database?: string; json?: boolean }) => {
      const { store, directory } = await openDirectory(
        options.database === undefined ? { dataDir: options.data } : { databaseUrl: options.database },
      );
      try {
        const created = await directory.createTenant({ name: options.name });
        const result = { tenantId: created.tenantId, clientId: created.clientId, clientSecret: created.clientSecret };
        if (options.json === true) {
          process.stdout.write(JSON.stringify(result) + '\n');
        } else {
          process.stdout.write(
            `tenant ${options.name} created\n` +
              `  tenant id:     ${result.tenantId}\n  client id:     ${result.clientId}\n` +
              `  client secret: ${result.clientSecret}\n` +
              `The secret is shown only now; store it safely (it is kept hashed).\n`,
          );
        }
      } finally {
        await store.close();
      }
    });
  return tenant;
}
