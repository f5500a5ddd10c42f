/**
 * `cloudsync server --smtp-url … --smtp-from …`: refused before the service starts, in one line that names the flag
 * and never repeats the SMTP password.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/run-cli.ts';

test('bad SMTP flags are one line each, without the password', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cloudsync-smtp-flags-'));
  try {
    const refused = async (args: readonly string[], message: RegExp) => {
      const run = await runCli(['server', '--port', '0', '--data', join(dir, 'data'), ...args]);
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.match(run.stderr, message);
      assert.ok(!run.stderr.includes('Top$ecret') && !run.stdout.includes('Top$ecret'), run.stderr);
    };
    await refused(['--smtp-url', 'ftp://mailer:Top$ecret@mail.example.com:25', '--smtp-from', 'a@corp.example.com'],
      /^error ERR_CLI_USAGE: --smtp-url ftp:\/\/mailer@mail\.example\.com:25: expected smtp\[s\]:\/\/\[user:password@\]host:port/);
    await refused(['--smtp-url', 'smtps://mailer:Top$ecret@mail.example.com'], /^error ERR_CLI_USAGE: --smtp-from: required with --smtp-url/);
    await refused(['--smtp-url', 'smtp://mail.example.com:25', '--smtp-from', 'not an address'], /--smtp-from: "not an address" is not an email address/);
    await refused(['--smtp-from', 'a@corp.example.com'], /--smtp-from needs --smtp-url/);
    await refused(['--quarantine-retry', 'PT12H,PT6H'], /--quarantine-retry: the retry times count from the first failure and must grow/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
