/**
 * The bearer token /metrics asks for, read from a file (--metrics-token-file) as Prometheus reads its own
 * (`authorization: { credentials_file: … }`): one line, surrounding whitespace ignored. The file is a secret, so it
 * must not be readable by other users, like the bind password and TLS key files.
 */
import { readFile, stat } from 'node:fs/promises';
import { CloudsyncError } from '../errors/index.ts';

/** Long enough that guessing is hopeless even without rate limiting. */
const MINIMUM_LENGTH = 16;

export async function readMetricsToken(file: string): Promise<string> {
  const flag = '--metrics-token-file';
  let mode: number;
  let text: string;
  try {
    mode = (await stat(file)).mode;
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CloudsyncError('ERR_CONFIG_INVALID', `${flag} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { path: flag });
  }
  if ((mode & 0o077) !== 0) {
    throw new CloudsyncError('ERR_CONFIG_INVALID', `${flag} ${file} is readable by other users (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${file}`, { path: flag });
  }
  const token = text.trim();
  if (token.length < MINIMUM_LENGTH || /\s/.test(token)) {
    throw new CloudsyncError('ERR_CONFIG_INVALID', `${flag} ${file}: the token must be one line of at least ${MINIMUM_LENGTH} characters without spaces (e.g. openssl rand -hex 32)`, { path: flag });
  }
  return token;
}
