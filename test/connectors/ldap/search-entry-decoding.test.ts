/**
 * The search-entry decoding adapter must give exactly what ldapts' own parsing gives. Both parse the same
 * SearchResultEntry bytes (written with ldapts' BER writer) through ldapts' MessageParser; the resulting entry objects
 * are compared key by key, in order, with Buffer and string kept apart. The Samba and OpenLDAP connector tests cover
 * the adapter on the wire.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Attribute, BerWriter, Client, MessageParser, ProtocolOperation, SearchEntry, SearchRequest, type Entry, type Message } from 'ldapts';
import { installSearchEntryDecoding, withoutAbsentAttributes } from '../../../src/connectors/ldap/search-entry-decoding.ts';

const NOT_UTF8 = Buffer.from('98b74cd656cfbc4882747a06a80be35e', 'hex');
const ASCII_BYTES = Buffer.from('AAAAAAAAAAAAAAAA');

function searchResultEntry(messageId: number, dn: string, attributes: readonly Attribute[]): Buffer {
  const writer = new BerWriter();
  writer.startSequence();
  writer.writeInt(messageId);
  writer.startSequence(ProtocolOperation.LDAP_RES_SEARCH_ENTRY);
  writer.writeString(dn);
  writer.startSequence();
  for (const attribute of attributes) attribute.write(writer);
  writer.endSequence();
  writer.endSequence();
  writer.endSequence();
  return writer.buffer;
}

function parse(parser: MessageParser, bytes: Buffer, request: SearchRequest): Entry {
  const messages: Message[] = [];
  parser.on('message', (m: Message) => messages.push(m));
  parser.on('error', (e: Error) => { throw e; });
  parser.read(bytes, new Map([[`${request.messageId}`, { message: request }]]));
  const entry = messages[0];
  assert.ok(entry instanceof SearchEntry, 'a search entry was parsed');
  return entry.toObject(request.attributes, request.explicitBufferAttributes);
}

function adapted(): MessageParser {
  const parser = new MessageParser();
  assert.equal(installSearchEntryDecoding({ messageParser: parser } as unknown as Client), true);
  return parser;
}

/** Keys in order, and per value whether it is a Buffer, so that deepEqual cannot blur the two. */
function shape(entry: Entry): Array<[string, boolean, string[]]> {
  return Object.keys(entry).map((key): [string, boolean, string[]] => {
    const value = entry[key]!;
    const list = Array.isArray(value) ? value : [value];
    return [key, Array.isArray(value), list.map((v) => (Buffer.isBuffer(v) ? `bytes:${v.toString('hex')}` : `text:${v}`))];
  });
}

function request(attributes: string[], explicitBufferAttributes: string[]): SearchRequest {
  return new SearchRequest({ messageId: 7, baseDN: 'DC=corp', filter: undefined as never, attributes, explicitBufferAttributes });
}

const ATTRIBUTES = [
  new Attribute({ type: 'objectClass', values: ['top', 'person', 'user'] }),
  new Attribute({ type: 'cn', values: ['Ada'] }),
  // Binary by the request's list, random bytes (ldapts: a caught decoding error) and ASCII bytes (ldapts: decoded,
  // then thrown away for the buffers).
  new Attribute({ type: 'objectGUID', values: [NOT_UTF8] }),
  new Attribute({ type: 'objectSid', values: [ASCII_BYTES] }),
  // Listed in another spelling than the server's: ldapts matches exactly, so this one is text when it decodes.
  new Attribute({ type: 'mS-DS-ConsistencyGuid', values: [ASCII_BYTES] }),
  new Attribute({ type: 'userCertificate;binary', values: [ASCII_BYTES] }),
  // Not binary, second value not UTF-8: the whole attribute comes back as bytes.
  new Attribute({ type: 'description', values: [Buffer.from('fine'), NOT_UTF8, Buffer.from('fine too')] }),
  new Attribute({ type: 'info', values: [Buffer.from('\uFEFFwith a byte-order mark')] }),
  new Attribute({ type: 'displayName', values: [Buffer.from('Zoë Ünal 名')] }),
  new Attribute({ type: 'initials', values: [''] }),
  new Attribute({ type: 'otherTelephone', values: [] }),
  new Attribute({ type: 'member;range=0-1', values: ['CN=a,DC=corp', 'CN=b,DC=corp'] }),
];

describe('search entry decoding gives what ldapts gives, without decoding binary attributes', () => {
  const cases: Array<[string, string[], string[]]> = [
    ['an AD read with absent, differently cased and repeated requested names',
      ['objectClass', 'CN', 'objectGUID', 'objectSid', 'mail', 'MAIL', 'member', 'description', 'info', 'displayName', 'initials', 'otherTelephone', 'mail'],
      ['objectGUID', 'objectSid', 'ms-DS-ConsistencyGuid', 'thumbnailPhoto']],
    ['a generic read of all user attributes', ['*', 'entryUUID', 'objectClass'], ['jpegPhoto', 'userCertificate;binary']],
    ['no attribute list and no binary list', [], []],
  ];
  for (const [what, attributes, binary] of cases) {
    test(what, () => {
      const bytes = searchResultEntry(7, 'CN=Ada,OU=Bench,DC=corp', ATTRIBUTES);
      const stock = parse(new MessageParser(), bytes, request(attributes, binary));
      const ours = parse(adapted(), bytes, request(attributes, binary));
      assert.deepEqual(shape(ours), shape(stock));
      assert.deepEqual(ours, stock);
    });
  }

  test('bytes that happen to be valid UTF-8 stay bytes when the request lists the attribute as binary', () => {
    const bytes = searchResultEntry(7, 'CN=Ada,DC=corp', ATTRIBUTES);
    const entry = parse(adapted(), bytes, request(['objectSid'], ['objectSid']));
    assert.ok(Buffer.isBuffer(entry['objectSid']));
    assert.deepEqual(entry['objectSid'], ASCII_BYTES);
    assert.equal(entry['mS-DS-ConsistencyGuid'], 'AAAAAAAAAAAAAAAA', 'not listed in the server spelling: decoded, as ldapts does');
  });

  test('the same request object serves several entries (the pages of one paged search)', () => {
    const parser = adapted();
    const shared = request(['cn', 'mail'], ['objectGUID']);
    const first = parse(parser, searchResultEntry(7, 'CN=A,DC=corp', [new Attribute({ type: 'cn', values: ['A'] })]), shared);
    const second = parse(parser, searchResultEntry(7, 'CN=B,DC=corp', [new Attribute({ type: 'mail', values: ['b@corp'] })]), shared);
    assert.deepEqual(first, { dn: 'CN=A,DC=corp', cn: 'A', mail: [] });
    assert.deepEqual(second, { dn: 'CN=B,DC=corp', mail: 'b@corp', cn: [] });
  });

  test('entries of one search reuse the names of earlier ones only where the bytes are the same', () => {
    const entries = [
      ATTRIBUTES,
      [...ATTRIBUTES].reverse(),
      [new Attribute({ type: 'cnx', values: ['x'] }), new Attribute({ type: 'CN', values: ['upper'] }), new Attribute({ type: 'cm', values: ['m'] }),
        new Attribute({ type: 'descriptioN', values: [NOT_UTF8, Buffer.from('fine')] }), new Attribute({ type: 'c', values: ['é', 'e'] })],
      ATTRIBUTES.slice(2, 6),
    ];
    const attributes = ['cn', 'objectGUID', 'mail'];
    const stockRequest = request([...attributes], ['objectGUID', 'objectSid']);
    const ourRequest = request([...attributes], ['objectGUID', 'objectSid']);
    const ours = adapted();
    entries.forEach((list, i) => {
      const bytes = searchResultEntry(7, i % 2 === 0 ? `CN=${i},DC=corp` : `CN=Zoë ${i} 名,DC=corp`, list);
      const stock = parse(new MessageParser(), bytes, stockRequest);
      const entry = parse(ours, bytes, ourRequest);
      assert.deepEqual(shape(entry), shape(stock), `entry ${i}`);
      assert.equal(entry.dn, stock.dn);
    });
  });

  test('searches on one connection with equal or different lists each get what ldapts gives them', () => {
    const parser = adapted();
    const bytes = searchResultEntry(7, 'CN=Ada,DC=corp', ATTRIBUTES);
    const cases: Array<[string[], string[]]> = [
      [['cn', 'mail'], ['objectSid']], [['cn', 'mail'], ['objectSid']], [['cn', 'mail'], []], [['cn', 'mail', 'sn'], ['objectSid']], [['cn'], ['objectSid']],
    ];
    for (const [attributes, binary] of cases) {
      const stock = parse(new MessageParser(), bytes, request([...attributes], [...binary]));
      assert.deepEqual(shape(parse(parser, bytes, request([...attributes], [...binary]))), shape(stock), `${attributes} / ${binary}`);
    }
    const lean = parse(parser, bytes, request(withoutAbsentAttributes(['cn', 'mail']), ['objectSid']));
    assert.equal(lean['mail'], undefined, 'equal lists, but this one asked to leave absent attributes out');
    assert.deepEqual(parse(parser, bytes, request(['cn', 'mail'], ['objectSid']))['mail'], [], 'and the next plain one has them again');
  });

  test('a search whose reader skips `[]` can have entries without the absent requested attributes', () => {
    const attributes = ['objectClass', 'CN', 'mail', 'otherTelephone', 'objectGUID', 'member'];
    const bytes = searchResultEntry(7, 'CN=Ada,OU=Bench,DC=corp', ATTRIBUTES);
    const stock = parse(new MessageParser(), bytes, request([...attributes], ['objectGUID']));
    const lean = parse(adapted(), bytes, request(withoutAbsentAttributes([...attributes]), ['objectGUID']));
    const absent = ['mail', 'member'];
    assert.deepEqual(shape(lean), shape(stock).filter(([key]) => !absent.includes(key)));
    assert.deepEqual(lean['otherTelephone'], [], 'an attribute the server sent without values is still []');
  });

  test('this ldapts still has the parser internals the adapter relies on', () => {
    // Failing here after an ldapts upgrade means the connectors silently fell back to ldapts' slower parsing.
    assert.equal(installSearchEntryDecoding(new Client({ url: 'ldap://127.0.0.1' })), true);
  });
});
