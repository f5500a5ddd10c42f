import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CloudsyncError } from '../errors/index.ts';
import { PROVISIONING_LOG_FILE_NAME, SQLITE_FILE_NAME } from '../storage/index.ts';

/**
 * Prepares `--data DIR` for the embedded database: the directory (0700) and the database files (0600), because
 * the database holds the token-signing private key and client-secret hashes, and the provisioning log's file the
 * synchronized objects' values. SQLite gives its -wal and -shm files the permissions of the database file, so
 * creating that file first with 0600 covers them too.
 *
 * Creates missing parents one level at a time instead of `mkdirSync(…, { recursive: true })`: on some
 * pseudo-filesystems (e.g. a path under /proc) Node's recursive mkdir spins forever instead of failing.
 */
export function prepareDataDirectory(dir: string): string {
  const absolute = resolve(dir);
  const missing: string[] = [];
  for (let current = absolute; ; current = dirname(current)) {
    const kind = kindOf(current);
    if (kind === 'directory') break;
    if (kind === 'other') {
      throw new CloudsyncError('ERR_CONFIG_INVALID', `--data ${dir}: ${current} exists and is not a directory`, { path: '--data' });
    }
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const path of missing) {
    try {
      mkdirSync(path, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new CloudsyncError('ERR_CONFIG_INVALID', `--data ${dir}: cannot create ${path} (${(error as NodeJS.ErrnoException).code})`, {
          path: '--data',
        });
      }
    }
  }
  for (const name of [SQLITE_FILE_NAME, PROVISIONING_LOG_FILE_NAME]) {
    const file = join(absolute, name);
    try {
      closeSync(openSync(file, 'a', 0o600));
      chmodSync(file, 0o600);
    } catch (error) {
      throw new CloudsyncError('ERR_CONFIG_INVALID', `--data ${dir}: cannot write ${file} (${(error as NodeJS.ErrnoException).code})`, {
        path: '--data',
      });
    }
  }
  return absolute;
}

function kindOf(path: string): 'missing' | 'directory' | 'other' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'other';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw new CloudsyncError('ERR_CONFIG_INVALID', `--data: cannot inspect ${path} (${(error as NodeJS.ErrnoException).code})`, {
      path: '--data',
    });
  }
}
