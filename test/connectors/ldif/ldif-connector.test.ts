import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudsyncError } from '../../../src/errors/index.ts';
import { isReference, type Value } from '../../../src/expressions/value.ts';
import { LdifConnector } from '../../../src/connectors/ldif/ldif-connector.ts';
import { formatSid } from '../../../src/connectors/guid.ts';
import type { SourceObject } from '../../../src/connectors/source-connector.ts';
import { GenericLdapConnector } from '../../../src/connectors/ldap/generic-ldap-connector.ts';
import { ActiveDirectoryConnector, DEFAULT_AD_ATTRIBUTES } from '../../../src/connectors/ldap/active-directory-connector.ts';
import { addAdGroup, addOu, sambaUnavailableReason, seedAdUsers, startSamba } from '../../harness/samba.ts';
import { addGroupOfNames, openLdapUnavailableReason, seedGenericUsers, startOpenLdap } from '../../harness/openldap.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const SAMPLE = join(root, 'src/demo/sample-ad.ldif');

const refs = (v: Value | undefined): string[] =>
  ((Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]) as unknown[]).filter(isReference).map((r) => r.dn);

async function all(connector: LdifConnector, batchSize = 200): Promise<{ objects: SourceObject[]; watermark: string; batches: number }> {
  const objects: SourceObject[] = [];
  let watermark = '';
  let batches = 0;
  for await (const batch of connector.fullImport({ batchSize })) {
    batches++;
    assert.ok(batch.objects.length <= batchSize);
    objects.push(...batch.objects);
    if (batch.watermark) watermark = batch.watermark;
  }
  return { objects, watermark, batches };
}

test('the bundled sample AD export: ≥ 1,000 users across OUs, nested groups, contacts, binary identifiers', async () => {
  const connector = new LdifConnector({ file: SAMPLE });
  const { objects, watermark, batches } = await all(connector);
  assert.ok(watermark);
  assert.ok(batches >= 6);
  const users = objects.filter((o) => o.type === 'user');
  const groups = objects.filter((o) => o.type === 'group');
  const contacts = objects.filter((o) => o.type === 'contact');
  assert.ok(users.length >= 1000, `${users.length} users`);
  assert.ok(contacts.length >= 20);
  assert.ok(new Set(users.map((u) => u.parentDn)).size >= 5, 'users in several OUs');
  assert.ok(users.some((u) => u.attributes['userAccountControl'] === 514), 'some disabled accounts');
  assert.ok(users.every((u) => String(u.attributes['userPrincipalName']).endsWith('@corp.example.com')));
  assert.ok(users.some((u) => /[^\x00-\x7f]/.test(String(u.attributes['givenName']))), 'base64 text came back as UTF-8 text');
  const anchors = new Set(objects.map((o) => o.anchors.objectGuid));
  assert.equal(anchors.size, objects.length, 'every object has a distinct objectGUID');
  const sample = users[0]!;
  assert.equal(sample.anchors.objectGuidBytes?.length, 16);
  assert.match(formatSid(sample.attributes['objectSid'] as Uint8Array), /^S-1-5-21-\d+-\d+-\d+-\d+$/);
  assert.ok(Array.isArray(sample.attributes['proxyAddresses']));
  // Referential integrity of the sample: every member and manager exists in the file.
  const dns = new Set(objects.map((o) => o.dn.toLowerCase()));
  for (const o of objects) {
    for (const dn of [...refs(o.attributes['member']), ...refs(o.attributes['manager'])]) assert.ok(dns.has(dn.toLowerCase()), `${o.dn} → ${dn}`);
  }
  const allStaff = groups.find((g) => g.dn.startsWith('CN=All Staff,'))!;
  const nested = refs(allStaff.attributes['member']);
  assert.ok(nested.length >= 7 && nested.every((dn) => groups.some((g) => g.dn === dn)), 'All Staff nests groups');
  assert.ok(groups.some((g) => refs(g.attributes['member']).some((dn) => contacts.some((c) => c.dn === dn))), 'contacts are members');
  assert.ok(Buffer.byteLength(readFileSync(SAMPLE)) < 1.5 * 1024 * 1024);

  // Unchanged file: an empty delta; readObject and listAnchors agree with the import.
  const delta: SourceObject[] = [];
  for await (const batch of connector.deltaImport(watermark)) delta.push(...batch.objects);
  assert.equal(delta.length, 0);
  const read = await connector.readObject(sample.dn.toUpperCase());
  assert.equal(read?.anchors.objectGuid, sample.anchors.objectGuid);
  let listed = 0;
  for await (const page of connector.listAnchors()) listed += page.length;
  assert.equal(listed, objects.length);
});

test('the generator is deterministic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudsync-sample-'));
  try {
    const out = join(dir, 'again.ldif');
    execFileSync(process.execPath, [join(root, 'scripts/generate-sample-ad.ts'), '--out', out], { cwd: root, stdio: 'ignore' });
    assert.ok(readFileSync(out).equals(readFileSync(SAMPLE)), 'src/demo/sample-ad.ldif is what the generator writes');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('containers scope the import; a changed file is reported whole; errors carry file and line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudsync-ldif-'));
  try {
    const file = join(dir, 'x.ldif');
    writeFileSync(file, 'dn: OU=A,DC=x\nobjectClass: organizationalUnit\nou: A\n\ndn: CN=u,OU=A,DC=x\nobjectClass: user\ncn: u\n\ndn: CN=v,OU=B,DC=x\nobjectClass: user\ncn: v\n');
    const scoped = new LdifConnector({ file, containers: ['OU=A,DC=x'] });
    const first = await all(scoped);
    assert.deepEqual(first.objects.map((o) => o.dn), ['OU=A,DC=x', 'CN=u,OU=A,DC=x']);
    writeFileSync(file, `${readFileSync(file, 'utf8')}\ndn: CN=w,OU=A,DC=x\nobjectClass: user\ncn: w\n`);
    const delta: SourceObject[] = [];
    for await (const batch of scoped.deltaImport(first.watermark)) delta.push(...batch.objects);
    assert.equal(delta.length, 3);

    writeFileSync(file, 'dn: CN=u,DC=x\nobjectClass: user\ncn u\n');
    await assert.rejects(all(new LdifConnector({ file })), (e: unknown) =>
      e instanceof CloudsyncError && e.code === 'ERR_LDIF_SYNTAX' && e.message.startsWith(`${file} line 3:`));
    await assert.rejects(all(new LdifConnector({ file: join(dir, 'missing.ldif') })), (e: unknown) => e instanceof CloudsyncError && e.code === 'ERR_CLI_FILE');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an ldapsearch dump of a real server reads back as the same objects as the LDAP connector', { skip: openLdapUnavailableReason() }, async () => {
  const server = await startOpenLdap();
  const dir = mkdtempSync(join(tmpdir(), 'cloudsync-dump-'));
  try {
    const users = await seedGenericUsers(server, 50);
    const admin = await server.admin();
    await addGroupOfNames(admin, `cn=team,ou=groups,${server.baseDn}`, users.slice(0, 20));
    const file = join(dir, 'dump.ldif');
    // Plain ldapsearch (not -LLL): comments, version line, folded lines and the trailing result block.
    writeFileSync(file, execFileSync('ldapsearch', ['-x', '-H', server.url, '-D', server.adminDn, '-w', server.adminPassword,
      '-b', server.baseDn, '(objectClass=*)', '*', 'entryUUID', 'entryCSN'], { encoding: 'utf8' }));
    const viaLdif = (await all(new LdifConnector({ file }))).objects;
    const ldap = new GenericLdapConnector({ urls: [server.url], bindDn: server.adminDn, bindPassword: server.adminPassword, baseDn: server.baseDn });
    const viaLdap: SourceObject[] = [];
    for await (const batch of ldap.fullImport()) viaLdap.push(...batch.objects);
    await ldap.close();
    const key = (o: SourceObject) => `${o.type} ${o.anchors.entryUuid} ${o.dn}`;
    assert.deepEqual(viaLdif.map(key).sort(), viaLdap.map(key).sort());
    const team = viaLdif.find((o) => o.dn.startsWith('cn=team'))!;
    assert.equal(refs(team.attributes['member']).length, 20);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
});

test('an ldapsearch dump of a Samba AD DC reads back with the same objectGUID anchors as the AD connector', { skip: sambaUnavailableReason() }, async () => {
  const dc = await startSamba();
  const dir = mkdtempSync(join(tmpdir(), 'cloudsync-dump-'));
  try {
    const client = await dc.admin();
    const corp = `OU=Corp,${dc.baseDn}`;
    await addOu(client, corp);
    const users = await seedAdUsers(client, corp, 15);
    await addAdGroup(client, `CN=Team,${corp}`, users.slice(0, 5));
    const file = join(dir, 'ad.ldif');
    writeFileSync(file, execFileSync('ldapsearch', ['-x', '-LLL', '-H', dc.url, '-D', dc.adminDn, '-w', dc.adminPassword,
      '-b', corp, '(objectClass=*)', ...DEFAULT_AD_ATTRIBUTES], { encoding: 'utf8' }));
    const viaLdif = (await all(new LdifConnector({ file }))).objects;
    const ad = new ActiveDirectoryConnector({ urls: [dc.url], bindDn: dc.adminDn, bindPassword: dc.adminPassword, containers: [corp] });
    const viaLdap: SourceObject[] = [];
    for await (const batch of ad.fullImport()) viaLdap.push(...batch.objects);
    await ad.close();
    const key = (o: SourceObject) => `${o.type} ${o.anchors.objectGuid} ${o.dn}`;
    assert.equal(viaLdif.length, 17);
    assert.deepEqual(viaLdif.map(key).sort(), viaLdap.map(key).sort());
    const sids = (list: SourceObject[]) => list.map((o) => o.attributes['objectSid'] ? formatSid(o.attributes['objectSid'] as Uint8Array) : '').sort();
    assert.deepEqual(sids(viaLdif), sids(viaLdap));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dc.stop();
  }
});
