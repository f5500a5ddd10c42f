import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { expressionCommand } from '../../../src/cli/commands/expression.ts';

async function run(args: readonly string[]): Promise<{ exitCode: number; json: Record<string, unknown> }> {
  let stdout = '';
  let exitCode = 0;
  const command = expressionCommand({ stdout: (text) => void (stdout += text), setExitCode: (code) => void (exitCode = code) });
  command.exitOverride();
  await command.parseAsync([...args], { from: 'user' });
  assert.ok(stdout.endsWith('\n') && stdout.indexOf('\n') === stdout.length - 1, 'one line of JSON');
  return { exitCode, json: JSON.parse(stdout) as Record<string, unknown> };
}

describe('cloudsync expression', () => {
  it('eval prints {"value": …}', async () => {
    assert.deepEqual(await run(['eval', '--expression', 'Join(" ", [givenName], [sn])', '--attributes', '{"givenName":"John","sn":"Doe"}']), {
      exitCode: 0,
      json: { value: 'John Doe' },
    });
    assert.deepEqual(await run(['eval', '-e', 'Split([x], ",")', '-a', '{"x":"a, b"}']), { exitCode: 0, json: { value: ['a', 'b'] } });
    assert.deepEqual(await run(['eval', '-e', '"constant"']), { exitCode: 0, json: { value: 'constant' } });
    assert.deepEqual(await run(['eval', '-e', 'IgnoreFlowIfNullOrEmpty([x])']), { exitCode: 0, json: { ignoreFlow: true } });
    assert.deepEqual(await run(['eval', '-e', 'Redact([x])', '-a', '{"x":"secret"}']), { exitCode: 0, json: { value: 'secret', redacted: true } });
  });

  it('eval fixes the clock with --now', async () => {
    assert.deepEqual((await run(['eval', '-e', 'Now()', '--now', '2021-07-02T15:33:38Z'])).json, { value: '7/2/2021 3:33:38 PM' });
    const bad = await run(['eval', '-e', 'Now()', '--now', 'yesterday']);
    assert.deepEqual([bad.exitCode, (bad.json['error'] as { path: string }).path], [1, '--now']);
  });

  it('eval reads binary, references and big integers', async () => {
    assert.deepEqual((await run(['eval', '-e', '[g]', '-a', '{"g":"base64:AAECAw=="}'])).json, { value: 'base64:AAECAw==' });
    assert.deepEqual((await run(['eval', '-e', 'DNComponent([m], 1)', '-a', '{"m":{"dn":"CN=Joe,DC=x"}}'])).json, { value: 'Joe' });
    assert.deepEqual((await run(['eval', '-e', 'CStr([n])', '-a', '{"n":129699324000000001}'])).json, { value: '129699324000000001' });
    assert.deepEqual((await run(['eval', '-e', 'BitAnd([n], 1)', '-a', '{"n":129699324000000001}'])).json, { value: 1 });
  });

  it('eval reports errors as {"error": …} with exit code 1', async () => {
    assert.deepEqual(await run(['eval', '-e', 'Join(" ", [a]']), {
      exitCode: 1,
      json: { error: { code: 'ERR_EXPR_SYNTAX', message: 'expected "," or ")" in the arguments of Join (opened at position 4) at position 13, found end of expression', position: 13 } },
    });
    const user = await run(['eval', '-e', 'Error("no manager")']);
    assert.deepEqual(user, { exitCode: 1, json: { error: { code: 'ERR_EXPR_USER_ERROR', message: 'no manager', position: 0 } } });
    const evaluation = await run(['eval', '-e', 'Item([p], 3)', '-a', '{"p":["a","b"]}']);
    assert.equal(evaluation.exitCode, 1);
    assert.equal((evaluation.json['error'] as { code: string }).code, 'ERR_EXPR_EVALUATION');
  });

  it('eval names --attributes and the position of bad JSON', async () => {
    for (const [text, position] of [['{"x": }', 6], ['{"x": 1', 7], ['{"x" 1}', 5], ['', 0]] as const) {
      const { exitCode, json } = await run(['eval', '-e', '[x]', '-a', text]);
      assert.equal(exitCode, 1);
      const error = json['error'] as { code: string; message: string; position: number; path: string };
      assert.equal(error.code, 'ERR_CLI_USAGE');
      assert.equal(error.path, '--attributes');
      assert.equal(error.position, position, `position for ${JSON.stringify(text)}`);
      assert.match(error.message, /^--attributes is not valid JSON at position \d+/);
    }
    const notObject = await run(['eval', '-e', '[x]', '-a', '["x"]']);
    assert.match((notObject.json['error'] as { message: string }).message, /--attributes must be a JSON object/);
    const badValue = await run(['eval', '-e', '[x]', '-a', '{"x":{"a":1}}']);
    assert.match((badValue.json['error'] as { message: string }).message, /^--attributes: x: expected a string, number/);
    const badBase64 = await run(['eval', '-e', '[x]', '-a', '{"x":"base64:***"}']);
    assert.equal((badBase64.json['error'] as { code: string }).code, 'ERR_CLI_USAGE');
  });

  it('check prints the canonical form and attributes, or every problem', async () => {
    assert.deepEqual(await run(['check', 'IIF([c]="US",[c],[d])']), {
      exitCode: 0,
      json: { ok: true, expression: 'IIF([c] = "US", [c], [d])', attributes: ['c', 'd'] },
    });
    const bad = await run(['check', 'Join(tolower([x]), Foo())']);
    assert.equal(bad.exitCode, 1);
    assert.deepEqual((bad.json['errors'] as { position: number }[]).map((e) => e.position), [5, 19]);
    assert.equal((bad.json['error'] as { code: string }).code, 'ERR_EXPR_UNKNOWN_FUNCTION');
  });

  it('functions lists the registry', async () => {
    const { json } = await run(['functions']);
    const names = (json['functions'] as { name: string }[]).map((f) => f.name);
    for (const name of ['Append', 'IIF', 'Switch', 'Word']) assert.ok(names.includes(name));
  });

  it('works as a process: stdout JSON and exit code', () => {
    const script = fileURLToPath(new URL('./expression-cli-fixture.ts', import.meta.url));
    const ok = spawnSync(process.execPath, [script, 'eval', '-e', 'ToUpper([c])', '-a', '{"c":"nz"}'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { value: 'NZ' });
    const failed = spawnSync(process.execPath, [script, 'eval', '-e', 'ToUpper(', '-a', '{}'], { encoding: 'utf8' });
    assert.equal(failed.status, 1);
    assert.equal(JSON.parse(failed.stdout).error.code, 'ERR_EXPR_SYNTAX');
  });
});
