import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, stat, chmod, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCredentials, writeCredentials } from '../../src/cli/credentials-file.ts';
import { resolveServiceCredentials } from '../../src/cli/service-connection.ts';
import { CloudsyncError } from '../../src/errors/index.ts';

const sample = { service: 'http://127.0.0.1:5480', tenantId: 't1', clientId: 'c1', clientSecret: 's3cret' };

test('credentials are written 0600 and read back', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cloudsync-cred-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'nested', 'credentials.json');
  await writeCredentials(path, sample);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.deepEqual(await readCredentials(path), sample);
});

test('a credentials file other users can read is refused with the chmod to run', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cloudsync-cred-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'credentials.json');
  await writeFile(path, JSON.stringify(sample));
  await chmod(path, 0o644);
  await assert.rejects(readCredentials(path), (error: CloudsyncError) => {
    assert.equal(error.code, 'ERR_CLI_FILE');
    assert.match(error.message, /chmod 600/);
    return true;
  });
});

test('flags win over environment, environment over the login file; a missing field is named', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cloudsync-cred-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'credentials.json');
  await writeCredentials(path, sample);
  const secretFile = join(dir, 'secret');
  await writeFile(secretFile, 'from-file\n');
  const env = { CLOUDSYNC_CREDENTIALS_FILE: path, CLOUDSYNC_CLIENT_ID: 'from-env' };
  const resolved = await resolveServiceCredentials({ service: 'http://localhost:9/x', clientSecretFile: secretFile }, env);
  assert.deepEqual(resolved, { service: 'http://localhost:9', tenantId: 't1', clientId: 'from-env', clientSecret: 'from-file' });

  const empty = { CLOUDSYNC_CREDENTIALS_FILE: join(dir, 'absent.json') };
  await assert.rejects(resolveServiceCredentials({ service: 'http://localhost:9' }, empty), (error: CloudsyncError) => {
    assert.equal(error.code, 'ERR_CLI_CREDENTIALS_MISSING');
    assert.match(error.message, /--tenant-id .*--client-id .*--client-secret-file/);
    return true;
  });
  await assert.rejects(
    resolveServiceCredentials({ service: 'not a url', tenantId: 't', clientId: 'c' }, { ...empty, CLOUDSYNC_CLIENT_SECRET: 'x' }),
    /--service not a url is not a URL/,
  );
});
