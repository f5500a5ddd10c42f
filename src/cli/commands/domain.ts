import { Command } from 'commander';
import { DEFAULTS } from '../../server/defaults.ts';
import { openDirectory } from '../../server/server.ts';

/**
 * `cloudsync domain verify` works on the store directly, like `tenant create`: it is the operator's way to verify a
 * domain without DNS proof (the API demands the TXT record). Whoever can run it can read the data directory or the
 * database anyway, so it proves ownership by other means: the operator's word.
 */
export function domainCommand(): Command {
  const domain = new Command('domain').description("manage a tenant's domains (works directly on the store)");
  domain
    .command('verify')
    .description('add the domain to the tenant if missing and mark it verified, without DNS proof (operator only)')
    .requiredOption('--tenant-id <id>', 'the tenant')
    .requiredOption('--name <domain>', 'the domain name, e.g. corp.example.com')
    .option('--data <dir>', 'directory of the embedded SQLite database', DEFAULTS.dataDir.value)
    .option('--database <url>', 'PostgreSQL instead of SQLite: postgres://user:password@host:port/db')
    .option('--json', 'print the domain as JSON')
    .action(async (options: { tenantId: string; name: string; data: string; database?: string; json?: boolean }) => {
      const { store, directory } = await openDirectory(options.database === undefined ? { dataDir: options.data } : { databaseUrl: options.database });
      try {
        const existing = (await directory.listDomains(options.tenantId)).find((d) => d.id === options.name.toLowerCase());
        // addDomain with isVerified does the "verified by another tenant" check in the same transaction as the insert.
        const verified =
          existing === undefined
            ? await directory.addDomain(options.tenantId, { id: options.name, isVerified: true })
            : await directory.verifyDomain(options.tenantId, existing.id);
        if (options.json === true) process.stdout.write(JSON.stringify(verified) + '\n');
        else process.stdout.write(`domain ${verified.id} is verified in tenant ${options.tenantId}${existing === undefined ? ' (added)' : ''}\n`);
      } finally {
        await store.close();
      }
    });
  return domain;
}
