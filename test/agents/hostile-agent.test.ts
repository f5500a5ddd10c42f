/**
 * A hostile or broken agent against a real service process: the test plays the agent over HTTP (registered with a
 * real token, its own key) and sends what a correct agent never would — an assertion signed by another key, a
 * garbage assertion, a message for a lease it does not hold or an operation that does not exist, a gzip bomb, a
 * malformed object, a batch larger than asked. Each is refused with a logged reason; a refused message fails its
 * operation (the cycle says why) and nothing of it reaches the cloud directory. Afterwards a correct agent
 * synchronizes the domain normally: the state was not corrupted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentAssertionSigner, generateAgentKeyPair } from '../../src/agent-channel/agent-assertion.ts';
import type { OperationAssignment, PollAnswer } from '../../src/agent-channel/channel-protocol.ts';
import { adminCli, cliEnvironment, createTenant, listAll, startAgent, startService, testWorkspace, until, type Execution } from '../agent/agent-processes.ts';

const SAMPLE = fileURLToPath(new URL('../../src/demo/sample-ad.ldif', import.meta.url));
const DOMAIN = 'corp.example.com';
const workspace = testWorkspace('cloudsync-hostile-agent-');
const processes = workspace.processes;

const CAPABILITIES = { deltaImport: true, deltaReportsDeletions: false, deltaReportsRenames: true, incrementalValues: false, anchorListing: true, defaultAnchor: 'objectGUID' };

function user(i: number): Record<string, unknown> {
  const guid = Buffer.alloc(16, i % 256);
  guid.writeUInt32BE(i, 0);
  return {
    type: 'user', objectClasses: ['top', 'person', 'organizationalPerson', 'user'], dn: `CN=u${i},OU=Corp,DC=corp,DC=example,DC=com`, parentDn: 'OU=Corp,DC=corp,DC=example,DC=com',
    anchors: { objectGuidBytes: guid.toString('base64') }, isDeleted: false,
    attributes: { cn: `u${i}`, sAMAccountName: `u${i}`, userPrincipalName: `u${i}@corp.example.com`, displayName: `U ${i}`, userAccountControl: 512 },
  };
}

test('hostile and broken agent messages are refused with a logged reason and do not corrupt state', async () => {
  const dir = workspace.dir();
  const data = join(dir, 'data');
  const tenant = await createTenant(data, 'hostile');
  const service = await startService(['--port', '0', '--data', data, '--sync-interval', 'PT1H'], { CLOUDSYNC_AGENT_INACTIVE_AFTER: '6' });
  processes.push(service);
  const env = cliEnvironment(service.url, tenant, join(dir, 'no-credentials.json'));
  const { cli, lastExecution, registrationToken } = adminCli(env, DOMAIN);
  const failedWith = async (code: string, after: string): Promise<Execution> =>
    until(`a cycle failed with ${code}`, async () => {
      const execution = await lastExecution();
      return execution !== null && execution.timeEnded > after ? execution : undefined;
    }, 60_000).then((execution) => {
      assert.equal(execution.state, 'Failed', JSON.stringify(execution));
      assert.equal(execution.error?.code, code, JSON.stringify(execution));
      return execution;
    });

  const channel = async (path: string, body: unknown, options: { assertion?: string; gzip?: boolean; raw?: Buffer } = {}): Promise<{ status: number; body: any }> => {
    const payload = options.raw ?? (options.gzip === true ? gzipSync(JSON.stringify(body)) : Buffer.from(JSON.stringify(body)));
    const response = await fetch(`${service.url}/agent/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.gzip === true || options.raw !== undefined ? { 'content-encoding': 'gzip' } : {}), ...(options.assertion === undefined ? {} : { authorization: `Bearer ${options.assertion}` }) },
      body: payload,
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  };

  // A registered agent whose messages the test writes by hand.
  const token = await registrationToken();
  const keys = await generateAgentKeyPair();
  const registered = await channel('/registrations', { registrationToken: token, publicKey: keys.publicJwk, machineName: 'hostile', version: '0.0.1' });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  const agentId = registered.body.agentId as string;
  const signer = new AgentAssertionSigner(agentId, keys.privateJwk);

  // A public key with its private half, at registration: refused (and the token is not consumed by a bad request).
  const leaky = await channel('/registrations', { registrationToken: 'x', publicKey: keys.privateJwk, machineName: 'hostile', version: '0.0.1' });
  assert.equal(leaky.status, 400);

  // Registration is open to anyone, so its body is small: 100 kB is refused before it is parsed.
  const bulky = await channel('/registrations', { registrationToken: 'x', publicKey: keys.publicJwk, machineName: 'x'.repeat(100_000), version: '0.0.1' });
  assert.equal(bulky.status, 413);

  // Bad signature: an assertion naming this agent, signed with another key.
  const forged = await new AgentAssertionSigner(agentId, (await generateAgentKeyPair()).privateJwk).assertion();
  const badSignature = await channel('/poll', { machineName: 'hostile', version: '0.0.1', domains: [] }, { assertion: forged });
  assert.equal(badSignature.status, 401);
  await service.waitFor(/"code":"ERR_AGENT_ASSERTION_INVALID","reason":"the agent assertion of [0-9a-f-]+ was refused: bad signature"/);
  const garbage = await channel('/poll', {}, { assertion: 'not.a.jwt' });
  assert.equal(garbage.status, 401);
  assert.ok(!service.output().includes(forged) && !service.output().includes(token), 'assertions and tokens are never logged');

  // Claimed capabilities are checked like the rest: a back link the engine would read that is no attribute name
  // (here an LDAP filter fragment) is refused, saying where.
  const badLinks = await channel('/poll', { machineName: 'hostile', version: '0.0.1', domains: [{ domain: DOMAIN, capabilities: { ...CAPABILITIES, backLinks: { member: 'memberOf)(cn=*' } } }] }, { assertion: await signer.assertion() });
  assert.equal(badLinks.status, 400);
  assert.match(badLinks.body.error.message, /domains\[0\]\.capabilities\.backLinks\.member: expected an attribute name/);

  // The hostile agent polls (its heartbeat) in the background and queues what it is given.
  const operations: OperationAssignment[] = [];
  let polling = true;
  const pollLoop = (async () => {
    while (polling) {
      const answer = await channel('/poll', { machineName: 'hostile', version: '0.0.1', domains: [{ domain: DOMAIN, netBiosName: 'CORP', capabilities: CAPABILITIES }] }, { assertion: await signer.assertion() });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      operations.push(...(answer.body as PollAnswer).operations);
    }
  })();
  const nextOperation = (): Promise<OperationAssignment> => until('an operation for the agent', async () => operations.shift(), 30_000, 100);
  const send = (operation: OperationAssignment, message: Record<string, unknown>, options: { gzip?: boolean; raw?: Buffer; id?: string } = {}) =>
    (async () => channel(`/operations/${options.id ?? operation.id}`, message, { assertion: await signer.assertion(), ...options }))();

  await cli(['config', 'create', '--domain', DOMAIN]);
  await cli(['config', 'start', DOMAIN]);

  // 1. A lease it does not hold, and an operation that does not exist: 409, the operation goes on.
  const first = await nextOperation();
  assert.equal(first.kind, 'fullImport');
  assert.equal((await send(first, { lease: first.lease + 1, seq: 0, type: 'items', items: { objects: [] } })).status, 409);
  assert.equal((await send(first, { lease: first.lease, seq: 0, type: 'end' }, { id: '00000000-0000-0000-0000-000000000000' })).status, 409);
  // Then a gzip bomb: 40 MB of JSON in 40 kB, inflated no further than the message limit → 413, the operation fails.
  const bomb = gzipSync(Buffer.concat([Buffer.from('{"lease":1,"seq":0,"type":"items","items":{"objects":[],"pad":"'), Buffer.alloc(40 * 1024 * 1024, 0x61), Buffer.from('"}}')]));
  assert.ok(bomb.length < 100_000);
  assert.equal((await send(first, {}, { raw: bomb })).status, 413);
  let execution = await failedWith('ERR_AGENT_BATCH_TOO_LARGE', '');
  assert.match(execution.error!.message, /inflates past the limit/);

  // 2. A malformed object (an unknown object type, a nested multi-value): 400, the cycle fails saying where.
  await cli(['config', 'restart', DOMAIN]);
  const second = await nextOperation();
  const malformed = { ...user(1), type: 'printer', attributes: { cn: [['nested']] } };
  const refused = await send(second, { lease: second.lease, seq: 0, type: 'items', items: { objects: [user(0), malformed] } }, { gzip: true });
  assert.equal(refused.status, 400);
  assert.match(refused.body.error.message, /items\.objects\[1\]\.type: expected one of user, inetOrgPerson/);
  execution = await failedWith('ERR_AGENT_PROTOCOL', execution.timeEnded);
  await service.waitFor(/"code":"ERR_AGENT_PROTOCOL","reason":"items\.objects\[1\]\.type/);

  // 3. More objects than the batch size the service asked for: 413, refused whole.
  await cli(['config', 'restart', DOMAIN]);
  const third = await nextOperation();
  const batchSize = (third.parameters as { batchSize: number }).batchSize;
  const oversized = Array.from({ length: batchSize + 1 }, (_, i) => user(i));
  assert.equal((await send(third, { lease: third.lease, seq: 0, type: 'items', items: { objects: oversized } }, { gzip: true })).status, 413);
  execution = await failedWith('ERR_AGENT_BATCH_TOO_LARGE', execution.timeEnded);
  assert.match(execution.error!.message, new RegExp(`${batchSize + 1} objects in one batch; the service asked for at most ${batchSize}`));

  // Nothing of any refused batch reached the cloud directory.
  assert.equal((await listAll(service.url, tenant, '/v1.0/users?$top=999')).length, 0);

  // The hostile agent is revoked; a correct agent then synchronizes the domain normally.
  polling = false;
  await pollLoop;
  await cli(['agent', 'revoke', agentId]);
  const goodToken = await registrationToken();
  const good = startAgent(['--service', service.url, '--state', join(dir, 'good'), '--domain', DOMAIN, '--ldif', SAMPLE, '--registration-token', goodToken]);
  processes.push(good);
  await good.waitFor(/connected to the service/);
  await cli(['config', 'restart', DOMAIN]);
  const synced = await until('a cycle through the correct agent', async () => {
    const last = await lastExecution();
    return last !== null && last.timeEnded > execution.timeEnded && last.state === 'Succeeded' ? last : undefined;
  }, 90_000);
  assert.equal(synced.error, null);
  const users = await listAll<{ userPrincipalName: string }>(service.url, tenant, '/v1.0/users?$top=999');
  assert.equal(users.length, 1000);
  assert.ok(!users.some((u) => /^u\d+@/.test(u.userPrincipalName)), 'no object of a refused batch was kept');
  await good.stop();
  await service.stop();
});
