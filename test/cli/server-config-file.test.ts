/**
 * `cloudsync server --config FILE`: flags from a 0600 JSON file (the way to keep the SMTP password out of the
 * process list), command-line flags winning, and one clear line for each bad file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './run-cli.ts';
import { startService } from '../scenarios/service-under-test.ts';

const SAMPLE = fileURLToPath(new URL('../../src/demo/sample-ad.ldif', import.meta.url));
const SMTP_PASSWORD = 'relay-pw-never-printed-5d1c';
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudsync-server-config-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function configFile(name: string, content: string, mode = 0o600): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, content, { mode });
  await chmod(file, mode);
  return file;
}

test('bad configuration files are refused with one line naming the file or the key, and no secret', async () => {
  const cases: [string, RegExp][] = [
    [join(dir, 'missing.json'), /^error ERR_CLI_FILE: the configuration file .*missing\.json cannot be read \(ENOENT\)/],
    [await configFile('open.json', `{"smtpUrl": "smtp://u:${SMTP_PASSWORD}@127.0.0.1:25"}`, 0o644), /open\.json is readable by other users \(mode 644\) and may hold secrets; run: chmod 600/],
    [await configFile('broken.json', '{"port": '), /broken\.json is not JSON/],
    [await configFile('list.json', '["--port", "1"]'), /must hold one JSON object of flags/],
    [await configFile('unknown.json', '{"smtpPassword": "x"}'), /smtpPassword is not a flag of cloudsync server/],
    [await configFile('typed.json', '{"embeddedAgent": "yes"}'), /embeddedAgent must be true or false/],
    [await configFile('dns.json', '{"dnsServer": "127.0.0.1"}'), /dnsServer must be an array of strings/],
  ];
  for (const [file, message] of cases) {
    const run = await runCli(['server', '--port', '0', '--data', join(dir, 'refused'), '--config', file]);
    assert.equal(run.code, 1, `${file}: ${run.stdout}${run.stderr}`);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, message);
    assert.ok(!run.stderr.includes(SMTP_PASSWORD) && !run.stdout.includes(SMTP_PASSWORD));
  }
});

test('the file configures the server; a flag on the command line wins over it', async () => {
  const data = join(dir, 'data');
  const file = await configFile('server.json', JSON.stringify({
    data,
    port: '1',
    embeddedAgent: true,
    domain: 'corp.example.com',
    ldif: SAMPLE,
    smtpUrl: `smtp://relay:${SMTP_PASSWORD}@127.0.0.1:2525`,
    smtpFrom: 'cloudsync@corp.example.com',
  }));
  // --port 0 (startService's) beats the file's port 1, which would need root
  const service = await startService(['--config', file]);
  try {
    assert.match(service.output(), new RegExp(`listening on http://127\\.0\\.0\\.1:\\d+ \\(.*${data.replace(/[.]/g, '\\.')}`));
    assert.doesNotMatch(service.output(), /:1\b \(/);
    // printed right after "listening" (startService only waits for it when --embedded-agent is on the command line)
    for (let i = 0; i < 50 && !service.output().includes('embedded agent for'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(service.output(), /embedded agent for corp\.example\.com: LDIF/);
    assert.ok(!service.output().includes(SMTP_PASSWORD), 'the SMTP password from the file is never printed');
  } finally {
    await service.stop();
  }
});
