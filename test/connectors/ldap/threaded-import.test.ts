/**
 * Threaded imports against real directory servers: a throwaway OpenLDAP slapd and a throwaway Samba AD DC. The
 * threaded import must be indistinguishable from the in-process one: the same objects in the same order, the
 * same watermark, the same errors; and its thread must end however the import ends.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Attribute, Change, type Client } from 'ldapts';
import { CloudsyncError } from '../../../src/errors/index.ts';
import { isReference, type Value } from '../../../src/expressions/value.ts';
import { createLdapConnector, type LdapConnectorSpec } from '../../../src/connectors/ldap/ldap-connector-spec.ts';
import { importOnThread, ldapSourceConnector, ThreadedImportConnector } from '../../../src/connectors/ldap/threaded-import.ts';
import type { ImportBatch, SourceObject } from '../../../src/connectors/source-connector.ts';
import { addGroupOfNames, openLdapUnavailableReason, seedGenericUsers, startOpenLdap, type OpenLdapServer } from '../../harness/openldap.ts';
import { addAdGroup, addOu, sambaUnavailableReason, seedAdUsers, startSamba, type SambaDc } from '../../harness/samba.ts';

interface Collected {
  readonly objects: SourceObject[];
  /** The watermark of each batch that carried one, in order. */
  readonly watermarks: string[];
  readonly sizes: number[];
}

async function collect(batches: AsyncIterable<ImportBatch>): Promise<Collected> {
  const objects: SourceObject[] = [];
  const watermarks: string[] = [];
  const sizes: number[] = [];
  for await (const batch of batches) {
    objects.push(...batch.objects);
    sizes.push(batch.objects.length);
    if (batch.watermark !== undefined) watermarks.push(batch.watermark);
  }
  return { objects, watermarks, sizes };
}

/** Both ways, the in-process import first, each on its own connector (nothing shared but the server). */
async function bothWays(spec: LdapConnectorSpec, run: (connector: ReturnType<typeof ldapSourceConnector>) => AsyncIterable<ImportBatch>): Promise<{ inProcess: Collected; threaded: Collected }> {
  const plain = ldapSourceConnector(spec, { imports: 'inProcess' });
  const threaded = ldapSourceConnector(spec, { imports: 'thread' });
  try {
    assert.ok(threaded instanceof ThreadedImportConnector);
    return { inProcess: await collect(run(plain)), threaded: await collect(run(threaded)) };
  } finally {
    await plain.close();
    await threaded.close();
  }
}

/** A full import's collected batches, on a connector closed afterwards. */
async function fullImportOf(spec: LdapConnectorSpec): Promise<Collected> {
  const connector = createLdapConnector(spec);
  try {
    return await collect(connector.fullImport());
  } finally {
    await connector.close();
  }
}

function references(objects: readonly SourceObject[]): Value[] {
  const found: Value[] = [];
  for (const object of objects) {
    for (const value of Object.values(object.attributes)) {
      for (const item of (Array.isArray(value) ? value : [value]) as Value[]) if (isReference(item)) found.push(item);
    }
    for (const change of Object.values(object.valueChanges ?? {})) found.push(...change.added.filter(isReference), ...change.removed.filter(isReference));
  }
  return found;
}

/**
 * A DirSync cookie carries the time the server made it (Samba: "MSDS", a version, then a FILETIME at bytes 8–15),
 * which differs between two imports a few milliseconds apart; the rest (the USNs, the invocation id) must match.
 */
function withoutCookieTime(watermark: string | null | undefined): unknown {
  if (typeof watermark !== 'string') return watermark;
  const parsed = JSON.parse(watermark) as { kind?: string; cookie?: string };
  if (parsed.kind !== 'dirsync' || typeof parsed.cookie !== 'string') return watermark;
  const bytes = Buffer.from(parsed.cookie, 'base64');
  if (bytes.subarray(0, 4).toString('latin1') === 'MSDS' && bytes.length >= 16) bytes.fill(0, 8, 16);
  return { ...parsed, cookie: bytes.toString('base64') };
}

function assertSameImport(actual: Collected, expected: Collected, minimumObjects: number): void {
  assert.ok(expected.objects.length >= minimumObjects, `the import read ${expected.objects.length} objects`);
  assert.deepEqual(actual.sizes, expected.sizes, 'the same batches');
  assert.deepEqual(actual.objects, expected.objects, 'the same objects, in the same order');
  assert.deepEqual(actual.watermarks.map(withoutCookieTime), expected.watermarks.map(withoutCookieTime), 'the same watermarks on the same batches');
  const refs = references(actual.objects);
  assert.ok(refs.every((r) => Object.isFrozen(r)), 'DnReferences are frozen as the connector makes them');
}

async function thrownBy(batches: AsyncIterable<ImportBatch>): Promise<unknown> {
  try {
    await collect(batches);
  } catch (error) {
    return error;
  }
  return assert.fail('the import did not fail');
}

/** The same CloudsyncError both ways (the engine's quarantine policy keys on the code). */
async function assertSameError(spec: LdapConnectorSpec, code: string): Promise<void> {
  const plain = createLdapConnector(spec);
  const threaded = new ThreadedImportConnector(spec);
  try {
    const expected = await thrownBy(plain.fullImport());
    const actual = await thrownBy(threaded.fullImport());
    assert.ok(expected instanceof CloudsyncError);
    assert.equal(expected.code, code, expected.message);
    assert.ok(actual instanceof CloudsyncError, `a CloudsyncError, not ${String(actual)}`);
    assert.deepEqual(actual.toJSON(), expected.toJSON(), 'code, message, path, position and details');
    assert.ok(!actual.message.includes(String(spec.options.bindPassword)), 'the password is not in the message');
  } finally {
    await plain.close();
    await threaded.close();
  }
}

/** Runs fixtures/stopped-import.ts and waits for that process to end on its own (it never calls exit). */
async function stoppedImport(spec: LdapConnectorSpec, how: 'abort' | 'break'): Promise<{ batches: number; thrown: string | null }> {
  const child = spawn(process.execPath, [new URL('./fixtures/stopped-import.ts', import.meta.url).pathname, JSON.stringify(spec), how], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code, signal] = await once(child, 'exit') as [number | null, string | null];
  clearTimeout(timer);
  assert.equal(signal, null, `the process did not end on its own within 30 s (killed); it printed ${out}`);
  assert.equal(code, 0);
  return JSON.parse(out) as { batches: number; thrown: string | null };
}

describe('threaded imports against OpenLDAP', { skip: openLdapUnavailableReason() }, () => {
  let server: OpenLdapServer;
  let admin: Client;
  let users: string[];
  const spec = (extra: Partial<LdapConnectorSpec['options']> = {}): LdapConnectorSpec => ({
    kind: 'genericLdap',
    options: { urls: [server.url], bindDn: server.adminDn, bindPassword: server.adminPassword, baseDn: server.baseDn, ...extra },
  });

  before(async () => {
    server = await startOpenLdap();
    admin = await server.admin();
    users = await seedGenericUsers(server, 150);
    await admin.modify(users[0]!, new Change({ operation: 'add', modification: new Attribute({ type: 'jpegPhoto', values: [Buffer.from([0xff, 0xd8, 0x00, 0x01, 0xfe])] }) }));
    await admin.modify(users[1]!, new Change({ operation: 'add', modification: new Attribute({ type: 'manager', values: [users[0]!] }) }));
    await addGroupOfNames(admin, `cn=staff,ou=groups,${server.baseDn}`, users.slice(0, 120));
    await addGroupOfNames(admin, `cn=few,ou=groups,${server.baseDn}`, users.slice(0, 3));
  });

  after(async () => {
    await admin?.unbind();
    await server?.stop();
  });

  test('a full import yields the same objects, batches and watermark as in-process (binary, dates, references, deferred members)', async () => {
    const { inProcess, threaded } = await bothWays(spec(), (c) => c.fullImport({ batchSize: 7, maxInlineValues: 100 }));
    assertSameImport(threaded, inProcess, 150);
    assert.ok(inProcess.sizes.length > 20, 'many batches, so that the thread waits for the consumer');
    const photo = threaded.objects.find((o) => o.dn === users[0])!.attributes['jpegPhoto'];
    assert.ok(Array.isArray(photo) && photo[0] instanceof Uint8Array, 'binary values stay Uint8Array');
    assert.equal(photo[0].buffer.byteLength, 5, 'on a buffer of its own, not a view into the whole batch');
    assert.ok(threaded.objects.find((o) => o.dn === users[0])!.attributes['modifyTimestamp'] instanceof Date);
    const staff = threaded.objects.find((o) => o.dn.startsWith('cn=staff,'))!;
    assert.deepEqual(staff.deferredAttributes, ['member'], 'a group over maxInlineValues is deferred on the thread as in-process');
    assert.ok(references(threaded.objects).length >= 4, 'manager and the small group\'s members are references');
  });

  test('a delta import from the same watermark yields the same changes and the same new watermark', async () => {
    const full = await fullImportOf(spec());
    await admin.modify(users[5]!, new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Director'] }) }));
    await admin.modifyDN(users[6]!, 'uid=renamed006');
    await admin.add(`uid=newcomer,ou=people,${server.baseDn}`, { objectClass: ['inetOrgPerson'], uid: 'newcomer', cn: 'New Comer', sn: 'Comer' });
    const { inProcess, threaded } = await bothWays(spec(), (c) => c.deltaImport(full.watermarks.at(-1)!, { batchSize: 2 }));
    assertSameImport(threaded, inProcess, 3);
    assert.notEqual(threaded.watermarks.at(-1), full.watermarks.at(-1));
  });

  test('wrong credentials and an unreachable server fail with the same CloudsyncError as in-process', async () => {
    await assertSameError(spec({ bindPassword: 'not-the-password' }), 'ERR_LDAP_INVALID_CREDENTIALS');
    await assertSameError(spec({ urls: ['ldap://127.0.0.1:1'] }), 'ERR_LDAP_UNREACHABLE');
  });

  test('an abort mid-import ends the thread: the import throws the abort and the process exits on its own', async () => {
    assert.deepEqual(await stoppedImport(spec(), 'abort'), { batches: 1, thrown: 'AbortError' });
  });

  test('leaving the loop early ends the thread: the process exits on its own', async () => {
    assert.deepEqual(await stoppedImport(spec(), 'break'), { batches: 1, thrown: null });
  });

  test('an already aborted signal starts no thread', async () => {
    const connector = new ThreadedImportConnector(spec());
    const error = await thrownBy(connector.fullImport({ signal: AbortSignal.abort() }));
    assert.equal((error as Error).name, 'AbortError');
  });

  test('a thread that dies (out of memory) is an error for the consumer, not a hang', async () => {
    const error = await thrownBy(importOnThread(spec(), { kind: 'fullImport' }, {}, { maxOldGenerationSizeMb: 4, maxYoungGenerationSizeMb: 1 }));
    assert.ok(error instanceof Error);
    assert.match(error.message, /LDAP import thread/);
  });

  test('the other operations run on the in-process connector', async () => {
    const connector = new ThreadedImportConnector(spec());
    try {
      const object = await connector.readObject(users[0]!);
      assert.equal(object?.dn, users[0]);
      const anchors: string[] = [];
      for await (const page of connector.listAnchors()) anchors.push(...page);
      assert.ok(anchors.includes(object!.anchors.entryUuid!));
    } finally {
      await connector.close();
    }
  });
});

describe('threaded imports against Samba AD', { skip: sambaUnavailableReason() }, () => {
  let dc: SambaDc;
  let admin: Client;
  let container: string;
  let users: string[];
  const spec = (extra: Partial<LdapConnectorSpec['options']> = {}): LdapConnectorSpec => ({
    kind: 'activeDirectory',
    options: { urls: [dc.url], bindDn: dc.adminDn, bindPassword: dc.adminPassword, containers: [container], memberRangeSize: 10, ...extra },
  });

  before(async () => {
    dc = await startSamba();
    admin = await dc.admin();
    container = `OU=Threaded,${dc.baseDn}`;
    await addOu(admin, container);
    users = await seedAdUsers(admin, container, 40, { managers: 3 });
    await addAdGroup(admin, `CN=Everyone Threaded,${container}`, users);
  });

  after(async () => {
    await dc?.stop();
  });

  test('a full import yields the same objects (GUID bytes, SIDs, USNs, ranged members) and watermark as in-process', async () => {
    const { inProcess, threaded } = await bothWays(spec(), (c) => c.fullImport({ batchSize: 9 }));
    assertSameImport(threaded, inProcess, 42);
    const user = threaded.objects.find((o) => o.type === 'user')!;
    assert.ok(user.anchors.objectGuidBytes instanceof Uint8Array);
    assert.equal(user.anchors.objectGuidBytes.buffer.byteLength, 16, 'on a buffer of its own, not a view into the whole batch');
    assert.equal(typeof user.usnChanged, 'bigint');
    const group = threaded.objects.find((o) => o.type === 'group')!;
    assert.equal((group.attributes['member'] as readonly Value[]).length, 40, 'members completed range by range on the thread');
  });

  test('a DirSync delta yields the same value changes, re-read objects and cookie as in-process', async () => {
    const full = await fullImportOf(spec());
    await admin.modify(users[7]!, new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Director'] }) }));
    await admin.modify(`CN=Everyone Threaded,${container}`, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [users[8]!] }) }));
    const { inProcess, threaded } = await bothWays(spec(), (c) => c.deltaImport(full.watermarks.at(-1)!, { batchSize: 1 }));
    assertSameImport(threaded, inProcess, 2);
    assert.ok(threaded.objects.some((o) => o.valueChanges?.['member']?.removed.length === 1));
  });

  test('a wrong password fails with the same CloudsyncError as in-process', async () => {
    await assertSameError(spec({ bindPassword: 'Wrong!Passw0rd' }), 'ERR_LDAP_INVALID_CREDENTIALS');
  });
});
