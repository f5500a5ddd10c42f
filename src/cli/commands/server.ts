import { Command } from 'commander';
import { DEFAULTS } from '../../server/defaults.ts';
import { startServer } from '../../server/server.ts';
import { parsePort } from '../options.ts';

export function serverCommand(): Command {
  return new Command('server')
    .description('run the provisioning service and its Graph v1.0-compatible API')
    .option('--data <dir>', 'directory of the embedded SQLite database', DEFAULTS.dataDir.value)
    .option('--database <url>', 'PostgreSQL instead of SQLite: postgres://user:password@host:port/db')
    .option('--host <address>', 'address to listen on', DEFAULTS.host.value)
    .option('--port <n>', 'port to listen on (0 = any free port)', String(DEFAULTS.port.value))
    .option('--public-url <url>', 'base URL clients reach the service at, when behind a proxy')
    .action(async (options: { data: string; database?: string; host: string; port: string; publicUrl?: string }) => {
      const server = await startServer({
        host: options.host,
        port: parsePort(options.port),
        ...(options.database === undefined ? { dataDir: options.data } : { databaseUrl: options.database }),
        ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
      });
      process.stdout.write(`cloudsync service listening on ${server.url} (${server.store.location})\n`);
      await waitForShutdown(server.close);
    });
}

/** Resolves after SIGINT/SIGTERM once `close` finished, so in-flight requests complete and SQLite checkpoints. */
export function waitForShutdown(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      close().then(resolve, reject);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
