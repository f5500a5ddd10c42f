import { mkdir, readFile, writeFile, chmod, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CloudsyncError } from '../errors/index.ts';

/** What `cloudsync login` remembers. The secret is stored as given: the file is the secret store, hence 0600. */
export interface StoredCredentials {
  readonly service: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export function credentialsFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['CLOUDSYNC_CREDENTIALS_FILE'];
  if (override !== undefined && override !== '') return override;
  const configHome = env['XDG_CONFIG_HOME'] || join(homedir(), '.config');
  return join(configHome, 'cloudsync', 'credentials.json');
}

export async function writeCredentials(path: string, credentials: StoredCredentials): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // mode on writeFile only applies when the file is created; chmod covers a file that existed with wider bits.
  await writeFile(path, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  await chmod(path, 0o600);
}

export async function readCredentials(path: string): Promise<StoredCredentials | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CloudsyncError('ERR_CLI_FILE', `cannot read ${path}: ${(error as Error).message}`, { path });
  }
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    // Refusing is kinder than silently using a secret other users on the machine could have read or replaced.
    throw new CloudsyncError(
      'ERR_CLI_FILE',
      `${path} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${path}`,
      { path },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CloudsyncError('ERR_CLI_FILE', `${path} is not valid JSON; run cloudsync login again`, { path });
  }
  const fields = ['service', 'tenantId', 'clientId', 'clientSecret'] as const;
  const record = parsed as Record<string, unknown>;
  for (const field of fields) {
    if (typeof record?.[field] !== 'string' || record[field] === '') {
      throw new CloudsyncError('ERR_CLI_FILE', `${path} has no ${field}; run cloudsync login again`, { path });
    }
  }
  return record as unknown as StoredCredentials;
}
