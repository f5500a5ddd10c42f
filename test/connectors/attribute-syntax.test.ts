import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layeredSchema, parseGeneralizedTime, toValue, WELL_KNOWN_ATTRIBUTES } from '../../src/connectors/attribute-syntax.ts';
import { classifyObjectType } from '../../src/connectors/object-type.ts';
import { firstRdn, isUnder, parentDn, sameDn } from '../../src/connectors/distinguished-name.ts';
import { schemaFromAttributeTypes } from '../../src/connectors/ldap/ldap-schema.ts';
import { parseRangedName, rangedName } from '../../src/connectors/ldap/ranged-retrieval.ts';
import { LDAP_RESULT_CODES, toLdapError } from '../../src/connectors/ldap/ldap-errors.ts';
import { reference } from '../../src/expressions/value.ts';

const info = (name: string) => WELL_KNOWN_ATTRIBUTES.lookup(name);

test('raw LDAP values become typed Values by syntax and cardinality', () => {
  assert.deepEqual(toValue(['SMTP:a@x'], info('proxyAddresses')), ['SMTP:a@x'], 'multi-valued stays an array');
  assert.equal(toValue(['Ann'], info('givenName')), 'Ann');
  assert.equal(toValue(['514'], info('userAccountControl')), 514);
  assert.equal(toValue(['9223372036854775807'], info('accountExpires')), 9223372036854775807n);
  assert.equal(toValue(['TRUE'], info('isDeleted')), true);
  assert.deepEqual(toValue(['CN=Boss,DC=x'], info('manager')), reference('CN=Boss,DC=x'));
  assert.deepEqual(toValue(['<GUID=1-2>;<SID=S-1>;OU=Sales,DC=x'], info('lastKnownParent')), reference('OU=Sales,DC=x'), 'extended DN form stripped');
  assert.deepEqual(toValue(['\u0001\u0002'], info('objectGUID')), new Uint8Array([1, 2]), 'a binary value decoded as text goes back to bytes');
  assert.equal(toValue([], info('mail')), null);
  assert.deepEqual(toValue(['a', 'b'], undefined), ['a', 'b'], 'unknown attributes: arrays only when several values');
  assert.equal(toValue(['not a time'], info('whenCreated')), 'not a time', 'unparsable values are kept as text, never dropped');
  assert.deepEqual(toValue(['a', 'b'], info('displayName')), 'a', 'a single-valued attribute that came with several keeps the first');
  assert.deepEqual(toValue(['CN=a', '<GUID=1>;CN=b'], info('member')), [reference('CN=a'), reference('CN=b')]);
  assert.equal(toValue(['true'], info('isDeleted')), true, 'booleans ignore case');
  assert.equal(toValue(['yes'], info('isDeleted')), 'yes');
});

test('a bare raw value (ldapts gives one value without an array) converts like a one-value list', () => {
  for (const [raw, name] of [['SMTP:a@x', 'proxyAddresses'], ['Ann', 'givenName'], ['514', 'userAccountControl'], ['x', 'unknownAttribute'],
    [Buffer.from([0xff, 0x01]), 'objectGUID'], ['20240102030405.0Z', 'whenCreated'], [Buffer.from('CN=a'), 'member']] as const) {
    assert.deepEqual(toValue(raw, info(name)), toValue([raw], info(name)), name);
  }
  const bytes = toValue(Buffer.from([1, 2]), info('objectGUID'));
  assert.ok(bytes instanceof Uint8Array && !Buffer.isBuffer(bytes), 'binary values are plain Uint8Arrays, never Buffers');
});

test('a layered schema answers from its first layer that knows the name, the same on every call', () => {
  const served = schemaFromAttributeTypes(["( 2.5.4.3 NAME 'cn' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )"]);
  const schema = layeredSchema(served, WELL_KNOWN_ATTRIBUTES);
  for (let round = 0; round < 2; round++) {
    assert.deepEqual(schema.lookup('CN'), { syntax: 'string', singleValued: true }, 'the server says cn is single-valued here');
    assert.deepEqual(schema.lookup('objectGUID'), { syntax: 'binary', singleValued: true });
    assert.equal(schema.lookup('noSuchAttribute'), undefined);
  }
});

test('GeneralizedTime (RFC 4517 §3.3.13)', () => {
  assert.equal(parseGeneralizedTime('20240102030405.0Z')?.toISOString(), '2024-01-02T03:04:05.000Z');
  assert.equal(parseGeneralizedTime('20240102030405Z')?.toISOString(), '2024-01-02T03:04:05.000Z');
  assert.equal(parseGeneralizedTime('202401020304+0200')?.toISOString(), '2024-01-02T01:04:00.000Z');
  assert.equal(parseGeneralizedTime('2024-01-02'), undefined);
  assert.equal(parseGeneralizedTime(' 20240102030405,5-0130 ')?.toISOString(), '2024-01-02T04:34:05.500Z');
  assert.equal(parseGeneralizedTime('2024010203Z')?.toISOString(), '2024-01-02T03:00:00.000Z');
  assert.equal(parseGeneralizedTime('20240102030405.0001Z')?.toISOString(), '2024-01-02T03:04:05.000Z');
  assert.equal(parseGeneralizedTime('20240102030405.9999Z')?.toISOString(), '2024-01-02T03:04:06.000Z');
});

test('GeneralizedTime accepts exactly what the ABNF (read as a regular expression) accepts, with the same instant', () => {
  // The former implementation; the hand-written parser must agree with it on every input.
  const reference = (text: string): number | undefined => {
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{2}(?:\d{2})?)?$/.exec(text.trim());
    if (!m) return undefined;
    const [, y, mo, d, h, mi = '00', s = '00', frac = '0', zone = 'Z'] = m;
    let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Math.round(Number(`0.${frac}`) * 1000));
    if (zone !== 'Z') t -= (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5) || '0')) * 60_000;
    return Number.isNaN(t) ? undefined : t;
  };
  const heads = ['2024', '202401', '20240102', '202401020', '2024010203', '20240102030', '202401020304', '2024010203045', '20240102030405',
    '202401020304059', '2024130232', '0099010100', '99991231235959', '2024010203a5', 'x2024010203'];
  const fractions = ['', '.', ',', '.0', '.5', ',05', '.123', '.1234', '.0005', '.0015', '.9995', '.49999', '.000000', '.12a'];
  const zones = ['', 'Z', 'z', '+02', '-0130', '+2', '+023', '+02300', '-', 'Zx', ' '];
  let accepted = 0;
  for (const head of heads) {
    for (const fraction of fractions) {
      for (const zone of zones) {
        for (const text of [`${head}${fraction}${zone}`, `\t${head}${fraction}${zone} `]) {
          const expected = reference(text);
          assert.equal(parseGeneralizedTime(text)?.getTime(), expected, JSON.stringify(text));
          if (expected !== undefined) accepted++;
        }
      }
    }
  }
  assert.ok(accepted > 500, `the sweep covers valid times too (${accepted})`);
});

test('object types from objectClass', () => {
  assert.equal(classifyObjectType(['top', 'person', 'organizationalPerson', 'user']), 'user');
  assert.equal(classifyObjectType(['top', 'person', 'organizationalPerson', 'user', 'computer']), undefined);
  assert.equal(classifyObjectType(['top', 'person', 'organizationalPerson', 'user', 'inetOrgPerson']), 'inetOrgPerson');
  assert.equal(classifyObjectType(['groupOfUniqueNames']), 'group');
  assert.equal(classifyObjectType(['top', 'person', 'organizationalPerson', 'contact']), 'contact');
  assert.equal(classifyObjectType(['top', 'organizationalUnit']), 'organizationalUnit');
  assert.equal(classifyObjectType(['top', 'container']), undefined);
});

test('DN helpers respect RFC 4514 escapes', () => {
  assert.equal(parentDn('CN=Lee\\, Ann,OU=Sales,DC=x'), 'OU=Sales,DC=x');
  assert.equal(firstRdn('CN=Lee\\, Ann,OU=Sales,DC=x'), 'CN=Lee\\, Ann');
  assert.equal(parentDn('DC=x'), '');
  assert.equal(sameDn('cn=a, dc=X', 'CN=A,DC=x'), true);
  assert.equal(isUnder('CN=a,OU=Sales,DC=x', 'ou=sales,dc=x'), true);
  assert.equal(isUnder('CN=a,OU=PreSales,DC=x', 'OU=Sales,DC=x'), false);
});

test('subschema attributeTypes: AD quoting, OpenLDAP lengths and SUP inheritance', () => {
  const schema = schemaFromAttributeTypes([
    "( 1.2.840.113556.1.4.2 NAME 'objectGUID' SYNTAX '1.3.6.1.4.1.1466.115.121.1.40' SINGLE-VALUE NO-USER-MODIFICATION )",
    "( 2.5.4.41 NAME 'name' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{32768} )",
    "( 2.5.4.3 NAME ( 'cn' 'commonName' ) DESC 'RFC4519: common name(s)' SUP name )",
    "( 2.5.4.31 NAME 'member' SUP distinguishedName )",
    "( 2.5.4.49 NAME 'distinguishedName' EQUALITY distinguishedNameMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )",
    "( 1.2.840.113556.1.2.146 NAME 'uSNChanged' SYNTAX '1.2.840.113556.1.4.906' SINGLE-VALUE )",
  ]);
  assert.deepEqual(schema.lookup('OBJECTGUID'), { syntax: 'binary', singleValued: true });
  assert.deepEqual(schema.lookup('commonName'), { syntax: 'string', singleValued: false });
  assert.deepEqual(schema.lookup('member'), { syntax: 'dn', singleValued: false });
  assert.deepEqual(schema.lookup('uSNChanged'), { syntax: 'largeInteger', singleValued: true });
  assert.equal(schema.lookup('nope'), undefined);
});

test('ranged attribute names (MS-ADTS 3.1.1.3.1.3.3)', () => {
  assert.deepEqual(parseRangedName('member;range=0-1499'), { attribute: 'member', low: 0, high: 1499 });
  assert.deepEqual(parseRangedName('member;range=1500-*'), { attribute: 'member', low: 1500, high: undefined });
  assert.deepEqual(parseRangedName('userCertificate;binary;range=0-9'), { attribute: 'userCertificate;binary', low: 0, high: 9 });
  assert.equal(parseRangedName('member'), undefined);
  assert.equal(rangedName('member', 1500, 1500), 'member;range=1500-2999');
  assert.equal(rangedName('member', 1500, undefined), 'member;range=1500-*');
});

test('LDAP failures map onto our codes from one table; retryable ones are marked', () => {
  assert.equal(LDAP_RESULT_CODES[51]?.retryable, true);
  assert.equal(LDAP_RESULT_CODES[50]?.retryable, false);
  const busy = toLdapError(Object.assign(new Error('busy'), { code: 51 }), 'searching DC=x');
  assert.equal(busy.code, 'ERR_LDAP_BUSY');
  assert.equal(busy.details?.['retryable'], true);
  assert.equal(toLdapError(Object.assign(new Error('x'), { code: 32 }), 'reading').code, 'ERR_LDAP_NO_SUCH_OBJECT');
  assert.equal(toLdapError(Object.assign(new Error('x'), { code: 50 }), 'reading').code, 'ERR_LDAP_INSUFFICIENT_ACCESS');
  assert.equal(toLdapError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'connecting').code, 'ERR_LDAP_UNREACHABLE');
  assert.equal(toLdapError(Object.assign(new Error('self-signed certificate'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), 'connecting').code, 'ERR_LDAP_TLS');
  assert.equal(toLdapError(Object.assign(new Error('x'), { code: 99 }), 'reading').code, 'ERR_LDAP_PROTOCOL');
  assert.equal(toLdapError(new Error('Socket connection not established'), 'reading').code, 'ERR_LDAP_UNREACHABLE');
  assert.equal(toLdapError(new Error('SearchRequest: Operation timed out'), 'reading').code, 'ERR_LDAP_UNREACHABLE');
  assert.equal(toLdapError(new Error('Unbalanced parens in filter string: (uid=a'), 'searching').code, 'ERR_CONFIG_INVALID');
});
