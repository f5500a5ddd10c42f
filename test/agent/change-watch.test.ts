/**
 * The change watch with a source that pushes (an in-memory source of our own interface: its delta reports what the
 * test changed since a watermark, its push wakes the watch): a push wakes the watch long before its interval; a push
 * that comes while a cycle runs is looked at when the cycle ends; a change pushed while a hint waits for its cycle is
 * hinted once that cycle's watermark arrives. Real servers: test/agent/agent-openldap.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeWatch } from '../../src/agent/change-watch.ts';
import type { EngineSource } from '../../src/engine/index.ts';
import type { ChangeNotificationOptions, ImportBatch, SourceObject } from '../../src/connectors/source-connector.ts';

/** A directory whose state is a change counter; a watermark is the counter it was read at. */
class PushingSource implements EngineSource {
  readonly capabilities = Object.freeze({ deltaImport: true, deltaReportsDeletions: true, deltaReportsRenames: true, incrementalValues: false, anchorListing: true, defaultAnchor: 'entryUUID' as const });
  changes = 0;
  #push: ChangeNotificationOptions | undefined;

  change(): void {
    this.changes++;
    this.#push?.onChange();
  }

  async *deltaImport(watermark: string): AsyncGenerator<ImportBatch> {
    const since = Number(watermark);
    const objects: SourceObject[] = this.changes > since
      ? [{ type: 'inetOrgPerson', objectClasses: ['inetOrgPerson'], dn: 'uid=x,dc=example,dc=org', parentDn: 'dc=example,dc=org', anchors: { entryUuid: 'x' }, attributes: {}, isDeleted: false }]
      : [];
    yield { objects, watermark: String(this.changes) };
  }

  changeNotifications(options: ChangeNotificationOptions): Promise<boolean> {
    this.#push = options;
    options.onReady?.();
    return new Promise((resolve) => options.signal.addEventListener('abort', () => resolve(true), { once: true }));
  }

  async *fullImport(): AsyncGenerator<ImportBatch> {}
  async readObject(): Promise<undefined> { return undefined; }
  async *readValues(): AsyncGenerator<readonly never[]> {}
  async *listAnchors(): AsyncGenerator<readonly string[]> {}
}

async function until(what: string, probe: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('a pushed change is hinted in moments, not at the interval; one pushed during a cycle or a pending hint is not lost', async () => {
  const source = new PushingSource();
  const hints: number[] = [];
  const warnings: string[] = [];
  const watch = new ChangeWatch({
    domain: 'example.org',
    source,
    intervalMs: 60_000,
    report: async () => { hints.push(Date.now()); },
    warn: (_fields, message) => warnings.push(message),
  });
  const controller = new AbortController();
  const running = watch.run(controller.signal);
  try {
    watch.observe('0');
    const t0 = Date.now();
    source.change();
    await until('the first hint', () => hints.length === 1);
    assert.ok(hints[0]! - t0 < 1000, `${hints[0]! - t0} ms with an interval of a minute`);

    // The asked-for cycle runs; a change is pushed meanwhile, after its import read: the cycle ends with a
    // watermark from before that change, and the watch hints again at once.
    watch.busy(1);
    const read = String(source.changes);
    source.change();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(hints.length, 1, 'nothing is hinted while a cycle runs');
    watch.observe(read);
    watch.busy(-1);
    await until('the change pushed during the cycle', () => hints.length === 2);

    // A change pushed while the hint waits for its cycle: hinted when that cycle's watermark arrives.
    source.change();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(hints.length, 2, 'one hint per cycle asked for');
    watch.observe(String(source.changes - 1));
    await until('the change pushed while a hint was pending', () => hints.length === 3);

    // Caught up: a cycle that read everything leaves nothing to hint.
    watch.observe(String(source.changes));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(hints.length, 3);
    assert.deepEqual(warnings, []);
  } finally {
    controller.abort();
    await running;
  }
});
