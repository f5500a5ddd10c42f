/**
 * RFC 4533 messages as bytes: the Sync Request control as written, and the Sync State control, Sync Done control
 * and Sync Info messages as a server sends them (built here with ldapts' own BER writer). Against a real server:
 * generic-ldap-connector.test.ts (OpenLDAP's syncprov answers deletions with a syncIdSet).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ber, BerReader, BerWriter, Client } from 'ldapts';
import { CONTENT_SYNC_MODES, CONTENT_SYNC_OIDS, ContentSyncRequestControl, formatSyncUuid, installContentSyncParsing, SyncUuidList } from '../../../src/connectors/ldap/content-sync.ts';

const UUID_A = Buffer.from('4474d7147cac104187b2436a67698641', 'hex');
const UUID_B = Buffer.from('447bde107cac1041882d436a67698641', 'hex');

function ber(build: (w: BerWriter) => void): Buffer {
  const writer = new BerWriter();
  build(writer);
  return writer.buffer;
}

/** The control's value as ldapts' ControlParser hands it over. */
function parseInto(control: { parse(reader: BerReader): void }, value: Buffer): void {
  control.parse(new BerReader(value));
}

describe('RFC 4533 content synchronization messages', () => {
  test('the Sync Request control: refreshOnly with a cookie, critical; without a cookie the field is left out', () => {
    const control = new ContentSyncRequestControl({ mode: CONTENT_SYNC_MODES.refreshOnly, cookie: new Uint8Array(Buffer.from('rid=000,csn=1')) });
    const written = ber((w) => control.write(w));
    const reader = new BerReader(written);
    reader.readSequence();
    assert.equal(reader.readString(), CONTENT_SYNC_OIDS.request);
    assert.equal(reader.readBoolean(), true, 'critical: a server without it must refuse, not answer a plain search');
    const value = new BerReader(reader.readString(Ber.OctetString, true) as Buffer);
    value.readSequence();
    assert.equal(value.readEnumeration(), 1);
    assert.equal(value.readString(), 'rid=000,csn=1');
    assert.equal(value.remain, 0, 'reloadHint FALSE is the default: not sent');

    const bare = new BerReader(ber((w) => new ContentSyncRequestControl({ mode: CONTENT_SYNC_MODES.refreshAndPersist }).write(w)));
    bare.readSequence();
    bare.readString();
    bare.readBoolean();
    const bareValue = new BerReader(bare.readString(Ber.OctetString, true) as Buffer);
    bareValue.readSequence();
    assert.equal(bareValue.readEnumeration(), 3);
    assert.equal(bareValue.remain, 0);
    // the state receiver rides along for the parser only
    assert.equal(ber((w) => control.stateReceiver.write(w)).length, 0);
  });

  test('Sync State controls: a delete is recorded by entryUUID, add and modify are not deletions, present marks a present phase', () => {
    const control = new ContentSyncRequestControl({ mode: CONTENT_SYNC_MODES.refreshOnly });
    const state = (value: number, uuid: Buffer, cookie?: string) => ber((w) => {
      w.startSequence();
      w.writeEnumeration(value);
      w.writeBuffer(uuid, Ber.OctetString);
      if (cookie !== undefined) w.writeString(cookie);
      w.endSequence();
    });
    parseInto(control.stateReceiver, state(1, UUID_A));
    parseInto(control.stateReceiver, state(2, UUID_A));
    assert.deepEqual([...control.deleted], []);
    assert.equal(control.presentPhase, false);
    parseInto(control.stateReceiver, state(3, UUID_B, 'c1'));
    assert.deepEqual([...control.deleted], ['447bde10-7cac-1041-882d-436a67698641']);
    assert.equal(Buffer.from(control.responseCookie!).toString(), 'c1');
    parseInto(control.stateReceiver, state(0, UUID_A));
    assert.equal(control.presentPhase, true);
    assert.throws(() => parseInto(control.stateReceiver, state(7, UUID_A)), /valid state/);
    assert.throws(() => parseInto(control.stateReceiver, state(3, Buffer.alloc(4))), /valid state and entryUUID/);
  });

  test('Sync Info: newcookie, refreshDelete, refreshPresent, and syncIdSet with and without refreshDeletes', () => {
    const control = new ContentSyncRequestControl({ mode: CONTENT_SYNC_MODES.refreshOnly });
    control.info(ber((w) => w.writeString('c1', 0x80)));
    assert.equal(Buffer.from(control.responseCookie!).toString(), 'c1');
    control.info(ber((w) => {
      w.startSequence(0xa3);
      w.writeString('c2');
      w.writeBoolean(true);
      w.startSequence(0x31);
      w.writeBuffer(UUID_A, Ber.OctetString);
      w.writeBuffer(UUID_B, Ber.OctetString);
      w.endSequence();
      w.endSequence();
    }));
    assert.deepEqual([...control.deleted].sort(), ['4474d714-7cac-1041-87b2-436a67698641', '447bde10-7cac-1041-882d-436a67698641']);
    assert.equal(Buffer.from(control.responseCookie!).toString(), 'c2');
    assert.equal(control.presentPhase, false);
    control.info(ber((w) => {
      w.startSequence(0xa1);
      w.writeString('c3');
      w.endSequence();
    }));
    assert.equal(Buffer.from(control.responseCookie!).toString(), 'c3');
    assert.equal(control.presentPhase, false, 'refreshDelete: the delete phase');

    const present = new ContentSyncRequestControl({ mode: CONTENT_SYNC_MODES.refreshOnly });
    present.info(ber((w) => {
      w.startSequence(0xa3);
      w.startSequence(0x31);
      w.writeBuffer(UUID_A, Ber.OctetString);
      w.endSequence();
      w.endSequence();
    }));
    assert.deepEqual([...present.deleted], [], 'refreshDeletes FALSE: the UUIDs are present, not deleted');
    assert.equal(present.presentPhase, true);
    assert.equal(present.responseCookie, undefined);
    assert.equal(present.present, undefined, 'the present set is kept only when asked for');
    assert.throws(() => present.info(ber((w) => w.writeString('x', 0x85))), /unknown choice/);
  });

  test('collectPresent: what a refresh names as still there — present and changed entries, syncIdSets without refreshDeletes — and never a deletion', () => {
    const control = new ContentSyncRequestControl({ mode: CONTENT_SYNC_MODES.refreshOnly, cookie: Buffer.from('c0'), collectPresent: true });
    const state = (value: number, uuid: Buffer) => ber((w) => {
      w.startSequence();
      w.writeEnumeration(value);
      w.writeBuffer(uuid, Ber.OctetString);
      w.endSequence();
    });
    const UUID_C = Buffer.from('447bde117cac1041882d436a67698641', 'hex');
    parseInto(control.stateReceiver, state(1, UUID_A)); // added since the cookie: there
    parseInto(control.stateReceiver, state(3, UUID_B)); // deleted
    control.info(ber((w) => {
      w.startSequence(0xa3);
      w.startSequence(0x31);
      w.writeBuffer(UUID_C, Ber.OctetString);
      w.endSequence();
      w.endSequence();
    }));
    assert.deepEqual([...control.present!.pages(10)].flat().sort(), ['4474d714-7cac-1041-87b2-436a67698641', '447bde11-7cac-1041-882d-436a67698641']);
    assert.deepEqual([...control.deleted], ['447bde10-7cac-1041-882d-436a67698641']);
    assert.equal(control.presentPhase, true);
  });

  test('SyncUuidList: 16 bytes each, handed on in pages of strings in the order they came, across its chunks', () => {
    const list = new SyncUuidList();
    assert.deepEqual([...list.pages(3)], []);
    const count = 4096 * 2 + 5; // past two 64 KB chunks
    for (let i = 0; i < count; i++) {
      const uuid = Buffer.alloc(16);
      uuid.writeUInt32BE(i, 12);
      list.add(uuid);
    }
    assert.equal(list.size, count);
    const pages = [...list.pages(1000)];
    assert.deepEqual(pages.map((p) => p.length), [...Array.from({ length: 8 }, () => 1000), 197]);
    assert.equal(pages[0]![1], '00000000-0000-0000-0000-000000000001');
    assert.equal(pages.at(-1)!.at(-1), `00000000-0000-0000-0000-0000${(count - 1).toString(16).padStart(8, '0')}`);
    assert.throws(() => list.add(Buffer.alloc(4)), /16 bytes/);
  });

  test('Sync Done: its cookie, and refreshDeletes FALSE (the default) meaning a present phase', () => {
    const deletes = new ContentSyncRequestControl({ mode: CONTENT_SYNC_MODES.refreshOnly });
    parseInto(deletes, ber((w) => {
      w.startSequence();
      w.writeString('c9');
      w.writeBoolean(true);
      w.endSequence();
    }));
    assert.equal(deletes.done, true);
    assert.equal(Buffer.from(deletes.responseCookie!).toString(), 'c9');
    assert.equal(deletes.presentPhase, false);
    const present = new ContentSyncRequestControl({ mode: CONTENT_SYNC_MODES.refreshOnly });
    parseInto(present, ber((w) => {
      w.startSequence();
      w.endSequence();
    }));
    assert.equal(present.done, true);
    assert.equal(present.responseCookie, undefined, 'no cookie: the client keeps its own');
    assert.equal(present.presentPhase, true);
  });

  test('entryUUIDs in their RFC 4530 string form; this ldapts has the parser hook the module needs', () => {
    assert.equal(formatSyncUuid(UUID_A), '4474d714-7cac-1041-87b2-436a67698641');
    assert.throws(() => formatSyncUuid(new Uint8Array(15)), RangeError);
    assert.equal(installContentSyncParsing(new Client({ url: 'ldap://127.0.0.1:1' })), true, 'an ldapts upgrade changed its MessageParser');
  });
});
