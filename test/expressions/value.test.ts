import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributeSource, AttributeSlots, frozenRecordSource, reference, type AttributeSource, type Value } from '../../src/expressions/value.ts';

// Two spellings of one name (the later wins), a default the record overrides in another case, a default it lacks.
const record: Record<string, Value> = {
  cn: 'Adele Vance',
  givenName: 'Adele',
  GIVENNAME: 'Adèle',
  proxyAddresses: ['SMTP:adele@contoso.com', 'smtp:av@contoso.com'],
  manager: reference('CN=Miriam,DC=contoso,DC=com'),
  DistinguishedName: 'CN=Adele Vance,DC=contoso,DC=com',
};
const defaults: Record<string, Value> = { dnsDomainName: 'contoso.com', distinguishedName: 'CN=virtual', entryDN: 'CN=virtual', ENTRYDN: 'CN=second' };
const expected: Record<string, Value | undefined> = {
  cn: 'Adele Vance',
  GivenName: 'Adèle',
  PROXYADDRESSES: ['SMTP:adele@contoso.com', 'smtp:av@contoso.com'],
  manager: reference('CN=Miriam,DC=contoso,DC=com'),
  distinguishedname: 'CN=Adele Vance,DC=contoso,DC=com',
  DNSDOMAINNAME: 'contoso.com',
  entryDn: 'CN=virtual',
  mail: undefined,
};

function readAll(source: AttributeSource): Record<string, Value | undefined> {
  return Object.fromEntries(Object.keys(expected).map((name) => [name, source.get(name)]));
}

function readInto(source: AttributeSource): Record<string, Value | undefined> {
  const names = Object.keys(expected);
  const slots = new AttributeSlots(names);
  const into: (Value | undefined)[] = new Array(names.length);
  assert.ok(source.readInto !== undefined);
  source.readInto(slots, into);
  return Object.fromEntries(names.map((name, i) => [name, into[i]]));
}

test('names match case-insensitively; the later spelling wins; defaults answer only for names the record lacks', () => {
  assert.deepEqual(readAll(attributeSource(record, defaults)), expected);
  assert.equal(attributeSource(record).get('dnsDomainName'), undefined);
});

test('a frozen record source answers what attributeSource answers, by name (scanned, then indexed) and in one pass', () => {
  // more reads than the source scans for before it indexes: both ways answer
  assert.deepEqual(readAll(frozenRecordSource(record, defaults)), expected);
  assert.deepEqual(readAll(frozenRecordSource(record, defaults)), expected);
  assert.deepEqual(readInto(frozenRecordSource(record, defaults)), expected);
  const indexed = frozenRecordSource(record, defaults);
  readAll(indexed);
  assert.deepEqual(readInto(indexed), expected);
  assert.deepEqual(readInto(attributeSource(record, defaults)), expected);
  // a scoping filter reads a few names many times over: answered from what the scans found
  const again = frozenRecordSource(record, defaults);
  const names = ['cn', 'GIVENNAME', 'entrydn', 'mail', 'CN', 'givenname', 'ENTRYDN', 'Mail', 'cn', 'proxyaddresses'];
  assert.deepEqual(names.map((name) => again.get(name)), names.map((name) => attributeSource(record, defaults).get(name)));
});

test('attributeSource reads its record at once: changing the record afterwards changes nothing', () => {
  const mutable: Record<string, Value> = { department: 'Retail' };
  const source = attributeSource(mutable);
  mutable['department'] = 'Sales';
  mutable['title'] = 'Manager';
  assert.equal(source.get('department'), 'Retail');
  assert.equal(source.get('title'), undefined);
});

test('attribute slots answer any spelling of their names, -1 for others, and refuse a name given twice', () => {
  const slots = new AttributeSlots(['givenName', 'sn']);
  assert.deepEqual(['GIVENNAME', 'givenname', 'givenName', 'SN', 'mail', 'mail'].map((name) => slots.slotOf(name)), [0, 0, 0, 1, -1, -1]);
  assert.throws(() => new AttributeSlots(['mail', 'Mail']), TypeError);
});

test('only the record\'s own attributes count (a server\'s `__proto__` attribute becomes the prototype of a plain record)', () => {
  const record: Record<string, Value> = {};
  record['__proto__'] = ['inherited'];
  record['cn'] = 'Adele';
  const names = ['cn', '0', 'length', '__proto__'];
  for (const source of [attributeSource(record), frozenRecordSource(record)]) {
    assert.deepEqual(names.map((name) => source.get(name)), ['Adele', undefined, undefined, undefined]);
    assert.deepEqual(readIntoNames(source, names), ['Adele', undefined, undefined, undefined]);
  }
});

function readIntoNames(source: AttributeSource, names: readonly string[]): (Value | undefined)[] {
  const into: (Value | undefined)[] = new Array(names.length);
  source.readInto!(new AttributeSlots(names), into);
  return [...into];
}
