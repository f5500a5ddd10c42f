import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudsyncError } from '../../../src/errors/index.ts';
import { parseLdif } from '../../../src/connectors/ldif/ldif-parser.ts';

function syntaxErrorAt(text: string, line: number, pattern?: RegExp): void {
  assert.throws(() => parseLdif(text, { source: 'test.ldif' }), (error: unknown) => {
    assert.ok(error instanceof CloudsyncError);
    assert.equal(error.code, 'ERR_LDIF_SYNTAX');
    assert.equal(error.details?.['line'], line, error.message);
    assert.match(error.message, new RegExp(`^test\\.ldif line ${line}: `));
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

test('content records, comments, folding and base64 (RFC 2849 examples 1, 2 and 3)', () => {
  const records = parseLdif([
    'version: 1',
    '# a comment',
    '#  that is folded',
    ' over two lines',
    'dn: cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com',
    'objectclass: top',
    'objectclass: person',
    'cn: Barbara Jensen',
    'cn: Barbara J Jensen',
    'description:: V2hhdCBhIGNhcmVmdWwgcmVhZGVyIHlvdSBhcmUhICBUaGlzIHZhbHVlIGlzIGJhc2UtNjQtZW5jb2RlZCBiZWNhdXNlIGl0IGhhcyBhIGNvbnRyb2wgY2hhcmFjdGVyIGluIGl0IChhIENSKS4NICBCeSB0aGUgd2F5LCB5b3Ugc2hvdWxkIHJlYWxseSBnZXQgb3V0IG1vcmUu',
    'title:Product Manager, Rod and Reel Division',
    '',
    '',
    'dn: cn=Gern Jensen, ou=Product Testing,',
    ' dc=airius, dc=com',
    'objectclass: person',
    'description: Babs is a big sailing fan, and travels extensively in sea',
    ' rch of perfect sailing conditions.',
    'objectGUID:: AAECAwQFBgcICQoLDA0ODw==',
    '',
  ].join('\n'));
  assert.equal(records.length, 2);
  const [first, second] = records;
  assert.equal(first!.dn, 'cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com');
  assert.equal(first!.line, 5);
  assert.equal(first!.changeType, undefined);
  assert.deepEqual(first!.attributes.get('cn'), ['Barbara Jensen', 'Barbara J Jensen']);
  assert.deepEqual(first!.attributes.get('objectclass'), ['top', 'person']);
  assert.equal(first!.attributes.get('title')?.[0], 'Product Manager, Rod and Reel Division', 'FILL is optional after the colon');
  const description = first!.attributes.get('description')?.[0];
  assert.ok(description instanceof Uint8Array);
  assert.match(Buffer.from(description).toString('utf8'), /^What a careful reader you are!/);
  assert.equal(second!.dn, 'cn=Gern Jensen, ou=Product Testing,dc=airius, dc=com', 'a continuation drops exactly one space');
  assert.equal(second!.attributes.get('description')?.[0], 'Babs is a big sailing fan, and travels extensively in search of perfect sailing conditions.');
  assert.deepEqual([...(second!.attributes.get('objectGUID')?.[0] as Uint8Array)], Array.from({ length: 16 }, (_, i) => i));
});

test('change records as ldifde writes them, plus modify, delete and moddn', () => {
  const records = parseLdif([
    'dn:: Q049Wm/DqyBSYW1pcmV6LERDPWNvcnA=',
    'changetype: add',
    'objectClass: user',
    '',
    'dn: CN=a,DC=corp',
    'changetype: modify',
    'replace: title',
    'title: Boss',
    '-',
    'add: proxyAddresses',
    'proxyAddresses: smtp:a@x',
    'proxyAddresses: smtp:b@x',
    '-',
    'delete: info',
    '-',
    '',
    'dn: CN=b,DC=corp',
    'changetype: delete',
    '',
    'dn: CN=c,DC=corp',
    'changetype: moddn',
    'newrdn: CN=d',
    'deleteoldrdn: 1',
    'newsuperior: OU=x,DC=corp',
  ].join('\r\n'));
  assert.deepEqual(records.map((r) => r.changeType), ['add', 'modify', 'delete', 'moddn']);
  assert.equal(records[0]!.dn, 'CN=Zoë Ramirez,DC=corp', 'a base64 DN is UTF-8');
  assert.deepEqual(records[1]!.modifications, [
    { operation: 'replace', attribute: 'title', values: ['Boss'] },
    { operation: 'add', attribute: 'proxyAddresses', values: ['smtp:a@x', 'smtp:b@x'] },
    { operation: 'delete', attribute: 'info', values: [] },
  ]);
  assert.equal(records[3]!.newRdn, 'CN=d');
  assert.equal(records[3]!.deleteOldRdn, true);
  assert.equal(records[3]!.newSuperior, 'OU=x,DC=corp');
});

test('plain ldapsearch output (version line, comments, trailing search result block) parses', () => {
  const records = parseLdif([
    '# extended LDIF', '#', '# LDAPv3', '# base <dc=example,dc=org> with scope subtree', '# filter: (uid=a)', '# requesting: ALL', '#', '',
    '# a, people, example.org', 'dn: uid=a,ou=people,dc=example,dc=org', 'objectClass: inetOrgPerson', 'uid: a', '',
    '# search result', 'search: 2', 'result: 0 Success', '', '# numResponses: 2', '# numEntries: 1', '',
  ].join('\n'));
  assert.deepEqual(records.map((r) => r.dn), ['uid=a,ou=people,dc=example,dc=org']);
});

test('errors name the line where the problem starts', () => {
  syntaxErrorAt('dn: cn=a\nobjectClass: top\nthis line has no colon\n', 3, /attribute: value/);
  syntaxErrorAt('\n\ncn: a\n', 3, /must start with "dn:"/);
  syntaxErrorAt('dn: cn=a\nobjectGUID:: not*base64\n', 2, /base64/);
  syntaxErrorAt(' continuation first\n', 1, /continuation/);
  syntaxErrorAt('dn: cn=a\nchangetype: rename\n', 2, /unknown changetype/);
  syntaxErrorAt('version: 2\ndn: cn=a\nobjectClass: top\n', 1, /version/);
  syntaxErrorAt('dn: cn=a\nchangetype: modify\nreplace: title\ntitle: x\n', 3, /not closed/);
  syntaxErrorAt('dn: cn=a\n\ndn: cn=b\nobjectClass: top\n', 1, /no attributes/);
  syntaxErrorAt('dn: cn=a\nbad name!: x\n', 2, /attribute description/);
  // A folded line's error points at where the logical line starts.
  syntaxErrorAt('dn: cn=a\nobjectClass: top\njpegPhoto:: AAAA\n A*==\n', 3, /base64/);
});
