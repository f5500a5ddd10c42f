/**
 * A cycle interrupted at any point resumes without duplicates and without re-exporting what was exported:
 * in-process (the connector space or the cloud failing like a dying process at chosen points) and for real (a
 * child process running the cycle on SQLite, killed with SIGKILL mid-cycle, then resumed).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LdifConnector } from '../../src/connectors/ldif/ldif-connector.ts';
import type { ConnectorSpace, TargetDirectory } from '../../src/engine/index.ts';
import { openStore } from '../../src/storage/index.ts';
import { createCloudDirectory } from '../../src/directory/index.ts';
import { BACKENDS } from '../storage/backends.ts';
import { stopPostgres } from '../harness/postgres.ts';
import { engineFixture, type EngineFixture } from './engine-fixture.ts';

const SAMPLE = fileURLToPath(new URL('../../src/demo/sample-ad.ldif', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/cycle-child.ts', import.meta.url));

class SimulatedCrash extends Error {}

/** Dies (throws a non-CloudsyncError, which aborts the cycle like a killed process) on the n-th call of `method`. */
function dying<T extends object>(inner: T, method: keyof T, n: number): T {
  let calls = 0;
  return new Proxy(inner, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property !== method) return value.bind(target);
      return async (...args: unknown[]) => {
        if (++calls === n) {
          // the write reaches the cloud / store first when it is the cloud's: kill right after it
          if (inner !== undefined && (method === 'createEach' || method === 'addMember')) await value.apply(target, args);
          throw new SimulatedCrash(`simulated crash at ${String(method)} #${n}`);
        }
        return value.apply(target, args);
      };
    },
  });
}

async function expectConverged(f: EngineFixture): Promise<void> {
  const users = await f.listAll('user');
  assert.equal(users.length, 1000);
  assert.equal(new Set(users.map((u) => u['onPremisesImmutableId'])).size, 1000);
  const groups = await f.listAll('group');
  assert.equal(groups.length, 13);
  assert.equal((await f.listAll('orgContact')).length, 40);
  const allStaff = groups.find((g) => g['displayName'] === 'All Staff')!;
  assert.equal((await f.members(String(allStaff['id']))).length, 8);
  const sales = groups.find((g) => g['displayName'] === 'Sales Team')!;
  assert.ok((await f.members(String(sales['id']))).length > 100);
}

const backend = BACKENDS[0]!;

describe(`crash and resume (${backend.name})`, () => {
  const source = new LdifConnector({ file: SAMPLE });
  const points: { name: string; wrap: (f: EngineFixture) => { target?: TargetDirectory; connectorSpace?: ConnectorSpace } }[] = [
    { name: 'after the cloud creates of a batch, before its connector-space entries', wrap: (f) => ({ connectorSpace: dying(f.connectorSpace, 'put', 6) }) },
    { name: 'in the middle of the creates of a batch', wrap: (f) => ({ target: dying(f.target, 'createEach', 4) }) },
    { name: 'in the middle of reference resolution', wrap: (f) => ({ target: dying(f.target, 'addMember', 300) }) },
    { name: 'before the final watermark', wrap: (f) => ({ connectorSpace: dying(f.connectorSpace, 'setWatermark', 1) }) },
  ];
  for (const point of points) {
    test(`killed ${point.name}: the next cycle converges with no duplicate and no repeated export`, async () => {
      const { store, dispose } = await backend.open();
      try {
        const f = await engineFixture(store);
        f.config = { ...f.config, batchSize: 100 };
        await assert.rejects(f.cycle(source, 'auto', point.wrap(f)), SimulatedCrash);
        const createdBefore = f.log.entries.filter((e) => e.action === 'Create' && e.status === 'Success').length;
        const usersBefore = (await f.listAll('user')).length;
        f.log.clear();
        const report = await f.cycle(source);
        assert.equal(report.failed, 0, JSON.stringify(f.log.entries.find((e) => e.status === 'Failure')));
        await expectConverged(f);
        // objects whose creates completed before the crash are joined, not created again, and not written
        assert.ok(createdBefore + usersBefore > 0, 'the crash came after some work');
        assert.equal(report.created + report.unchanged + report.updated, 1053);
        assert.equal(report.updated, 0, 'nothing exported twice');
        const third = await f.cycle(source, 'full');
        assert.equal(third.created + third.updated + third.deleted + third.referencesAdded + third.referencesRemoved, 0);
      } finally {
        await dispose();
      }
    });
  }
});

describe('SIGKILL of a real process mid-cycle (sqlite)', () => {
  test('the resumed cycle converges: nothing missing, nothing duplicated', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cloudsync-crash-'));
    try {
      let store = await openStore({ dataDir });
      const { tenantId } = await createCloudDirectory(store).createTenant({ name: `crash${process.pid}` });
      await store.close();
      const child = spawn(process.execPath, [CHILD, dataDir, tenantId, 'crash-config'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const killedAt = await new Promise<number>((resolve, reject) => {
        let lines = 0;
        child.stdout.on('data', (chunk: Buffer) => {
          lines += chunk.toString().split('\n').filter((l) => l.startsWith('batch')).length;
          if (lines >= 6 && child.exitCode === null) {
            child.kill('SIGKILL');
            resolve(lines);
          }
        });
        child.on('exit', (code, signal) => (signal === 'SIGKILL' ? undefined : reject(new Error(`child exited ${code} before it was killed`))));
      });
      await new Promise((resolve) => child.once('close', resolve));
      assert.ok(killedAt >= 6);
      store = await openStore({ dataDir });
      try {
        const resumed = await engineFixture(store, { configurationId: 'crash-config', tenantId });
        const report = await resumed.cycle(new LdifConnector({ file: SAMPLE }));
        assert.equal(report.failed, 0);
        assert.ok(report.created < 1053, 'part of the work was done before the kill');
        assert.equal(report.updated, 0, 'nothing exported twice');
        await expectConverged(resumed);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

after(() => stopPostgres());
