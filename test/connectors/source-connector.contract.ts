/**
 * The SourceConnector contract, run against every implementation (house style §3.4: contract suites).
 * What the engine may rely on whatever the source is.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isReference, kindOf, type Value } from '../../src/expressions/value.ts';
import { isUnder } from '../../src/connectors/distinguished-name.ts';
import { defaultAnchorOf, SOURCE_OBJECT_TYPES, type SourceConnector, type SourceObject } from '../../src/connectors/source-connector.ts';

export interface SourceConnectorFixture {
  readonly connector: SourceConnector;
  /** A DN that does not exist in the source. */
  readonly missingDn: string;
  teardown(): Promise<void>;
}

function assertWellFormedValue(path: string, value: Value): void {
  assert.notEqual(value, null, `${path}: absent attributes are omitted, not null`);
  if (Array.isArray(value)) {
    assert.ok(value.length > 0, `${path}: no empty arrays`);
    for (const v of value) {
      assert.ok(!Array.isArray(v) && v !== null && v !== undefined, `${path}: flat arrays without nulls`);
      kindOf(v as Value);
    }
  } else {
    kindOf(value);
  }
}

export function describeSourceConnector(name: string, setup: () => Promise<SourceConnectorFixture>, options: { skip?: string | undefined } = {}): void {
  describe(`SourceConnector contract: ${name}`, { skip: options.skip }, () => {
    let fixture: SourceConnectorFixture;
    let objects: SourceObject[] = [];
    let watermark: string | undefined;

    before(async () => {
      fixture = await setup();
      const batches = [];
      for await (const batch of fixture.connector.fullImport({ batchSize: 7 })) batches.push(batch);
      objects = batches.flatMap((b) => [...b.objects]);
      watermark = batches.at(-1)?.watermark;
      assert.ok(batches.every((b) => b.objects.length <= 7), 'batches are bounded by batchSize');
    });

    after(async () => {
      await fixture?.connector.close();
      await fixture?.teardown();
    });

    test('a full import ends with a watermark and yields well-formed objects', () => {
      assert.ok(watermark, 'the last batch carries the watermark');
      assert.ok(objects.length > 0);
      for (const o of objects) {
        assert.ok((SOURCE_OBJECT_TYPES as readonly string[]).includes(o.type), `${o.dn}: type ${o.type}`);
        assert.ok(o.objectClasses.length > 0);
        assert.equal(o.isDeleted, false, 'a full import reports live objects');
        assert.ok(o.parentDn === '' || isUnder(o.dn, o.parentDn), `${o.dn} is under its parentDn ${o.parentDn}`);
        assert.ok(defaultAnchorOf(o) !== o.dn, `${o.dn} has an anchor other than its DN`);
        for (const [attribute, value] of Object.entries(o.attributes)) assertWellFormedValue(`${o.dn} ${attribute}`, value);
        for (const member of [o.attributes['member'] ?? []].flat() as Value[]) assert.ok(isReference(member), 'member values are DN references');
      }
    });

    test('anchors are unique and listAnchors lists exactly them', async () => {
      const anchors = objects.map(defaultAnchorOf);
      assert.equal(new Set(anchors).size, anchors.length);
      const listed: string[] = [];
      for await (const page of fixture.connector.listAnchors({ batchSize: 5 })) {
        assert.ok(page.length <= 5 || page.length > 0);
        listed.push(...page);
      }
      assert.deepEqual(new Set(listed), new Set(anchors));
    });

    test('readObject returns the imported object by DN (any case) and undefined for a missing DN', async () => {
      for (const [i, o] of [objects[0]!, objects[Math.floor(objects.length / 2)]!, objects.at(-1)!].entries()) {
        const read = await fixture.connector.readObject(i === 0 ? o.dn.toUpperCase() : o.dn);
        assert.ok(read, o.dn);
        assert.equal(defaultAnchorOf(read), defaultAnchorOf(o));
        assert.equal(read.type, o.type);
      }
      assert.equal(await fixture.connector.readObject(fixture.missingDn), undefined);
    });

    test('readValues streams a multi-valued attribute in chunks; maxInlineValues defers large ones', async () => {
      const group = objects.find((o) => o.type === 'group' && Array.isArray(o.attributes['member']) && (o.attributes['member'] as unknown[]).length > 3);
      assert.ok(group, 'the fixture has a group with more than 3 members');
      const inline = (group.attributes['member'] as Value[]).map((v) => (isReference(v) ? v.dn.toLowerCase() : String(v)));
      const streamed: string[] = [];
      for await (const chunk of fixture.connector.readValues(group.dn, 'member', { chunkSize: 2 })) {
        assert.ok(chunk.length > 0 && chunk.length <= 2);
        streamed.push(...chunk.map((v) => (isReference(v) ? v.dn.toLowerCase() : String(v))));
      }
      assert.deepEqual(new Set(streamed), new Set(inline));
      const bounded: SourceObject[] = [];
      for await (const batch of fixture.connector.fullImport({ maxInlineValues: 3 })) bounded.push(...batch.objects);
      const deferred = bounded.find((o) => o.dn === group.dn)!;
      assert.deepEqual(deferred.deferredAttributes, ['member']);
      assert.equal(deferred.attributes['member'], undefined);
      for (const o of bounded) {
        for (const [name, v] of Object.entries(o.attributes)) assert.ok(name === 'objectClass' || !Array.isArray(v) || v.length <= 3, `${o.dn} ${name}`);
      }
    });

    test('a delta right after the full import reports nothing and hands back a watermark', async () => {
      const delta = [];
      let next: string | undefined;
      for await (const batch of fixture.connector.deltaImport(watermark!)) {
        delta.push(...batch.objects);
        if (batch.watermark) next = batch.watermark;
      }
      assert.equal(delta.length, 0);
      assert.ok(next);
    });

    test('a foreign watermark is refused with a message, not misread', async () => {
      await assert.rejects(async () => {
        for await (const _ of fixture.connector.deltaImport('{"v":1,"kind":"somebody-else"}')) { /* drain */ }
      }, (e: unknown) => (e as { code?: string }).code === 'ERR_CONFIG_INVALID');
    });
  });
}
