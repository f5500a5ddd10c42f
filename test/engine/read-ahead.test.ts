import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAhead } from '../../src/engine/read-ahead.ts';

/** A source that records what happened, in order, to the shared `events` list. */
async function* source(events: string[], count: number, failAt?: number): AsyncGenerator<number> {
  try {
    for (let i = 0; i < count; i++) {
      events.push(`produce ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (i === failAt) throw new Error(`source failed at ${i}`);
      yield i;
    }
  } finally {
    events.push('source closed');
  }
}

test('elements arrive in order, and the next one is produced while the consumer works on the current one', async () => {
  const events: string[] = [];
  const seen: number[] = [];
  for await (const n of readAhead(source(events, 3))) {
    events.push(`consume ${n} start`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    events.push(`consume ${n} end`);
    seen.push(n);
  }
  assert.deepEqual(seen, [0, 1, 2]);
  // element 1 is being produced before the consumer is done with element 0
  assert.ok(events.indexOf('produce 1') < events.indexOf('consume 0 end'), events.join(' | '));
  // the source ran to its end (and closed) while the consumer still worked on the last element
  assert.ok(events.indexOf('source closed') < events.indexOf('consume 2 end'), events.join(' | '));
});

test('a consumer that stops early closes the source after the read in flight settles', async () => {
  const events: string[] = [];
  for await (const n of readAhead(source(events, 10))) {
    if (n === 1) break;
  }
  assert.equal(events.at(-1), 'source closed');
  assert.ok(!events.includes('produce 4'), events.join(' | '));
});

test("a source failure reaches the consumer at that element, after the earlier ones, and nothing is left unhandled", async () => {
  const events: string[] = [];
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const n of readAhead(source(events, 5, 2))) seen.push(n);
  }, /source failed at 2/);
  assert.deepEqual(seen, [0, 1]);
  // a consumer that throws while the prefetched read fails must see its own error, not the prefetch's
  await assert.rejects(async () => {
    for await (const n of readAhead(source([], 5, 1))) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error(`consumer failed at ${n}`);
    }
  }, /consumer failed at 0/);
});
