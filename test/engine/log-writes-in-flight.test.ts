/**
 * A cycle leaves up to LOG_WRITES_IN_FLIGHT provisioning-log writes in flight while it goes on with the next
 * batch (the SQLite store commits them on a thread of its own), and none outlives the cycle: what the cycle
 * logged is in the log when it returns, and a write that failed fails the cycle.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../storage/backends.ts';
import { LOG_WRITES_IN_FLIGHT, runSynchronizationCycle, type ProvisioningLogEntry, type ProvisioningLogSink } from '../../src/engine/index.ts';
import type { Store } from '../../src/storage/index.ts';
import { engineFixture, type EngineFixture } from './engine-fixture.ts';
import { MemorySource } from './memory-source.ts';

const OU = 'OU=Users,DC=corp,DC=example,DC=com';
const USERS = 23;
const BATCH = 5;

/** A log whose writes commit after `delayMs`, keeping what committed and the most writes ever pending at once. */
class SlowLog implements ProvisioningLogSink {
  readonly committed: ProvisioningLogEntry[] = [];
  pending = 0;
  mostPending = 0;
  writes = 0;
  readonly #delayMs: number;
  readonly #failWrite: number | undefined;
  constructor(delayMs: number, failWrite?: number) {
    this.#delayMs = delayMs;
    this.#failWrite = failWrite;
  }

  write(entries: readonly ProvisioningLogEntry[]): Promise<void> {
    const number = ++this.writes;
    this.pending++;
    this.mostPending = Math.max(this.mostPending, this.pending);
    return new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        this.pending--;
        if (number === this.#failWrite) reject(new Error(`disk full at write ${number}`));
        else {
          this.committed.push(...entries);
          resolve();
        }
      }, this.#delayMs);
    });
  }
}

function users(): MemorySource {
  const source = new MemorySource();
  for (let i = 0; i < USERS; i++) {
    const nick = `u${i}`;
    source.add('user', `CN=${nick},${OU}`, { cn: nick, displayName: nick, sAMAccountName: nick, userPrincipalName: `${nick}@corp.example.com` });
  }
  return source;
}

describe('provisioning-log writes in flight (sqlite)', () => {
  let dispose: () => Promise<void>;
  let store: Store;

  before(async () => {
    ({ store, dispose } = await BACKENDS[0]!.open());
  });
  after(async () => {
    await dispose();
  });

  const run = async (f: EngineFixture, source: MemorySource | ReturnType<typeof failingSource>, log: ProvisioningLogSink) =>
    runSynchronizationCycle({ source, target: f.target, connectorSpace: f.connectorSpace, log, clock: () => f.now }, { ...f.config, batchSize: BATCH }, { mode: 'full' });

  test('the next batches run while a write is pending, never more than the bound; every entry is logged when the cycle returns', async () => {
    const f = await engineFixture(store);
    const log = new SlowLog(30);
    const report = await run(f, users(), log);
    assert.equal(report.created, USERS);
    assert.equal(log.pending, 0, 'no write outlives its cycle');
    assert.deepEqual(log.committed.map((e) => e.sourceIdentity.displayName).sort(), Array.from({ length: USERS }, (_, i) => `u${i}`).sort());
    assert.equal(log.mostPending, LOG_WRITES_IN_FLIGHT, 'writes overlapped the next batches, up to the bound and no further');
    assert.equal((await f.listAll('user')).length, USERS);
  });

  test('a write that fails fails the cycle, after every other write has settled; the next cycle creates the rest, nothing twice', async () => {
    const f = await engineFixture(store);
    const log = new SlowLog(20, 2);
    const source = users();
    await assert.rejects(run(f, source, log), /disk full at write 2/);
    assert.equal(log.pending, 0, 'no write outlives its cycle');
    // batch 2 was exported before its entries went to the log; how many later batches ran depends on the timing
    const exported = (await f.listAll('user')).length;
    assert.ok(exported >= 2 * BATCH && exported < USERS, `${exported} users exported before the cycle stopped`);
    assert.equal((await f.connectorSpace.countSynced()).reduce((n, c) => n + c.count, 0), exported, 'the connector space knows exactly the exported users');
    const next = await run(f, source, new SlowLog(1));
    assert.equal(next.created, USERS - exported);
    assert.equal((await f.listAll('user')).length, USERS);
  });

  test("a cycle that fails on its own reports its own error, not a log write's, and leaves no write behind", async () => {
    const f = await engineFixture(store);
    const log = new SlowLog(20, 1);
    await assert.rejects(run(f, failingSource(users(), 3), log), /directory went away in batch 3/);
    assert.equal(log.pending, 0);
  });
});

/** `source` whose full import throws when asked for batch `at` (1-based). */
function failingSource(source: MemorySource, at: number) {
  const failing = Object.create(source) as MemorySource;
  failing.fullImport = async function* (options) {
    let n = 0;
    for await (const batch of source.fullImport(options)) {
      if (++n === at) throw new Error(`directory went away in batch ${n}`);
      yield batch;
    }
  };
  return failing;
}
