/**
 * `npm run demo -- --samba`: the demo's flow against a throwaway Samba AD DC seeded with the bundled sample, as a
 * process; and the one-line refusal when it is not run as root (the plain demo is main.test.ts's).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { Client } from 'ldapts';
import { sambaUnavailableReason } from '../harness/samba.ts';
import { CLI_MAIN, runCli } from './run-cli.ts';

const NOBODY = 65534;

function canDropToNobody(): boolean {
  return process.getuid?.() === 0 && spawnSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, '-e', '0']).status === 0;
}

test('demo --samba without root: one line saying why and what to run instead', { skip: !canDropToNobody() && 'needs root and setpriv(1) to run the CLI as nobody' }, async () => {
  const child = spawn('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, CLI_MAIN, 'demo', '--samba', '--port', '0', '--exit-when-ready'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOME: '/tmp' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 1, stdout + stderr);
  assert.equal(stderr.trim().split('\n').length, 1, stderr);
  assert.match(stderr, /^error ERR_CLI_USAGE: --samba starts a throwaway Samba AD DC, which needs root .*run sudo npm run demo -- --samba, or npm run demo without --samba/);
  assert.equal(stdout, '', 'nothing was started');
});

test('demo --samba: the sample seeded into a real DC, synchronized with zero failures, the DC removed on exit', { skip: sambaUnavailableReason() }, async () => {
  const run = await runCli(['demo', '--samba', '--port', '0', '--exit-when-ready']);
  assert.equal(run.code, 0, run.stderr);
  const dc = /Samba AD DC at (ldap:\/\/[\d.]+) started in [\d.]+ s; the sample \(1064 objects, (\d+) links\) added in ([\d.]+) s/.exec(run.stderr);
  assert.ok(dc, run.stderr);
  process.stderr.write(`demo --samba: sample seeded into Samba in ${dc[3]} s\n`);
  assert.match(run.stdout, new RegExp(`Embedded agent for corp\\.example\\.com reading a throwaway Samba AD DC at ${dc[1]!.replace(/[.]/g, '\\.')} .*\\(1000 users, 13 groups, 40 contacts\\)\\.`));
  // Every sample object is created; the DC's built-in accounts are read but excluded (isCriticalSystemObject).
  assert.match(run.stdout, /First sync: Succeeded, \d+ entries read, 1053 objects created in [\d.]+ s\./);
  assert.match(run.stdout, /through the API 1000 users and 13 groups have onPremisesSyncEnabled eq true, 1016 users in all; e\.g\. mei\.martinez@corp\.example\.com\./);
  assert.doesNotMatch(run.stderr, /[1-9]\d* failed/);
  assert.match(run.stdout, new RegExp(`printf 'dn: CN=Mei Martinez,OU=Sales,OU=Users,OU=Corp,DC=corp,DC=example,DC=com.*\\n    \\| ldapmodify -H ${dc[1]!.replace(/[.]/g, '\\.')} -D 'CN=Administrator,CN=Users,DC=corp,DC=example,DC=com' -w`));
  const client = new Client({ url: dc[1]!, connectTimeout: 1000 });
  await assert.rejects(client.bind('CN=Administrator,CN=Users,DC=corp,DC=example,DC=com', 'x'), 'the DC is gone');
  await client.unbind().catch(() => undefined);
});
