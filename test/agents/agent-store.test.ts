/**
 * Registration tokens and agent records in the store, on SQLite and PostgreSQL: a token registers exactly one agent
 * (even when two redeem it at once), expires, is stored only as its hash; agents are confined to their tenant;
 * disable/enable and revoke (final) are recorded.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { AgentStore, hashRegistrationToken } from '../../src/agents/agent-store.ts';
import { generateAgentKeyPair } from '../../src/agent-channel/agent-assertion.ts';
import { createCloudDirectory } from '../../src/directory/index.ts';
import type { CloudsyncError } from '../../src/errors/index.ts';
import type { Store } from '../../src/storage/index.ts';
import { BACKENDS } from '../storage/backends.ts';

for (const backend of BACKENDS) {
  describe(`agent store (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let tenantA: string;
    let tenantB: string;
    let now = new Date('2026-07-01T00:00:00Z');
    let agents: AgentStore;
    before(async () => {
      ({ store, dispose } = await backend.open());
      const directory = createCloudDirectory(store, { retentionDays: 30 });
      tenantA = (await directory.createTenant({ name: 'a' })).tenantId;
      tenantB = (await directory.createTenant({ name: 'b' })).tenantId;
      agents = new AgentStore(store, () => now);
    });
    after(() => dispose());

    const registration = async (token: string) => ({
      registrationToken: token, publicKey: (await generateAgentKeyPair()).publicJwk, machineName: 'dc1', version: '1.0.0', externalIp: '10.0.0.5',
    });
    const refusedToken = (error: CloudsyncError) => error.code === 'ERR_AGENT_REGISTRATION_TOKEN_INVALID';

    test('a token registers one agent, once, and only its hash is stored', async () => {
      const { token, expiresDateTime } = await agents.createRegistrationToken(tenantA, 3600);
      assert.equal(expiresDateTime, '2026-07-01T01:00:00.000Z');
      const stored = await sql<{ token_hash: string }>`SELECT token_hash FROM agent_registration_tokens`.execute(store.db);
      assert.ok(stored.rows.some((row) => row.token_hash === hashRegistrationToken(token)));
      assert.ok(!stored.rows.some((row) => row.token_hash === token));

      // Two machines racing with the same token: one agent.
      const outcomes = await Promise.allSettled([agents.register(await registration(token)), agents.register(await registration(token))]);
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
      const registered = (outcomes.find((o) => o.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<AgentStore['register']>>>).value;
      assert.equal(registered.tenantId, tenantA);
      assert.equal(registered.publicKey.d, undefined);
      await assert.rejects(agents.register(await registration(token)), refusedToken);
      await assert.rejects(agents.register(await registration('never-issued')), refusedToken);
    });

    test('an expired token is refused', async () => {
      const { token } = await agents.createRegistrationToken(tenantA, 60);
      now = new Date(now.getTime() + 61_000);
      await assert.rejects(agents.register(await registration(token)), refusedToken);
    });

    test('agents are listed per tenant; seen, disabled, enabled, revoked for good', async () => {
      const { token } = await agents.createRegistrationToken(tenantB, 3600);
      const agent = await agents.register(await registration(token));
      assert.deepEqual((await agents.list(tenantB)).map((a) => a.id), [agent.id]);
      assert.ok(!(await agents.list(tenantA)).some((a) => a.id === agent.id));
      await assert.rejects(agents.getInTenant(tenantA, agent.id), (error: CloudsyncError) => error.code === 'ERR_AGENT_NOT_FOUND');

      await agents.recordSeen(agent.id, { machineName: 'dc2', version: '1.0.1', domains: ['corp.example.com'], externalIp: '10.0.0.6' });
      let current = await agents.getInTenant(tenantB, agent.id);
      assert.deepEqual([current.machineName, current.version, current.domains, current.externalIp, current.lastSeenAt], ['dc2', '1.0.1', ['corp.example.com'], '10.0.0.6', now.toISOString()]);

      assert.equal((await agents.setEnabled(tenantB, agent.id, false)).isEnabled, false);
      assert.equal((await agents.getInTenant(tenantB, agent.id)).isEnabled, false);
      await agents.setEnabled(tenantB, agent.id, true);
      await agents.revoke(tenantB, agent.id);
      current = await agents.getInTenant(tenantB, agent.id);
      assert.equal(current.revokedAt, now.toISOString());
      assert.equal(current.isEnabled, false);
      await assert.rejects(agents.setEnabled(tenantB, agent.id, true), (error: CloudsyncError) => error.code === 'ERR_AGENT_REVOKED');
      await assert.rejects(agents.revoke(tenantA, agent.id), (error: CloudsyncError) => error.code === 'ERR_AGENT_NOT_FOUND');
    });
  });
}
