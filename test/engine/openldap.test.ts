/**
 * The engine against a real OpenLDAP (generic LDAP connector, template LDAP2AADProvisioning): entryUUID anchors,
 * groupOfNames members, entryCSN deltas, deletions reported by RFC 4533 content synchronization (syncprov) and,
 * from a connector told not to use it, found by listAnchors() reconciliation; group scope through the memberOf that
 * slapd's memberof overlay stores or its dynlist overlay computes, the scoping group pinned by entryUUID or named by DN.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from 'ldapts';
import { GenericLdapConnector } from '../../src/connectors/ldap/generic-ldap-connector.ts';
import { compileSynchronizationSchema, getTemplate, type SynchronizationSchema } from '../../src/schema/index.ts';
import { isCloudsyncError } from '../../src/errors/index.ts';
import { addGroupOfNames, Attribute, Change, openLdapUnavailableReason, seedGenericUsers, startOpenLdap, MEMBER_OF_MODULES, type OpenLdapServer, type StartOpenLdapOptions } from '../harness/openldap.ts';
import { BACKENDS } from '../storage/backends.ts';
import { engineFixture, type EngineFixture } from './engine-fixture.ts';

const skip = openLdapUnavailableReason();

/** A throwaway slapd seeded with `users` users, its connector, and an engine on a fresh store with LDAP2AADProvisioning. */
async function openLdapEngine(users: number, options: Pick<StartOpenLdapOptions, 'sessionLog' | 'memberOf'> = {}) {
  const server = await startOpenLdap(options);
  const admin = await server.admin();
  const people = await seedGenericUsers(server, users);
  const connector = new GenericLdapConnector({ urls: [server.url], bindDn: server.adminDn, bindPassword: server.adminPassword, baseDn: server.baseDn });
  const { store, dispose: disposeStore } = await BACKENDS[0]!.open();
  const f = await engineFixture(store);
  f.config = { ...f.config, schema: compileSynchronizationSchema(getTemplate('LDAP2AADProvisioning')), domain: { dnsDomainName: 'example.org' } };
  const dispose = async () => {
    await connector.close();
    await disposeStore();
    await server.stop();
  };
  return { server, admin, people, connector, f, dispose };
}

describe('engine ← OpenLDAP (LDAP2AADProvisioning)', { skip }, () => {
  let server: OpenLdapServer;
  let admin: Client;
  let connector: GenericLdapConnector;
  let dispose: () => Promise<void>;
  let f: EngineFixture;
  let people: string[];

  before(async () => {
    ({ server, admin, people, connector, f, dispose } = await openLdapEngine(8));
    await addGroupOfNames(admin, `cn=staff,ou=groups,${server.baseDn}`, people.slice(0, 3));
  });

  after(async () => { await dispose?.(); });

  test('full cycle: users by entryUUID, the groupOfNames with its members', async () => {
    const report = await f.cycle(connector);
    assert.equal(report.failed, 0, JSON.stringify(f.log.entries.find((e) => e.status === 'Failure')));
    const users = await f.listAll('user');
    assert.equal(users.length, 8);
    assert.match(String(users[0]!['onPremisesImmutableId']), /^[0-9a-f-]{36}$/);
    const staff = (await f.listAll('group')).find((g) => g['displayName'] === 'staff')!;
    assert.deepEqual(await f.members(String(staff['id'])), ['Test User 1', 'Test User 2', 'Test User 3']);
  });

  test('delta: a modification, a membership change and a deletion (reported by content synchronization)', async () => {
    // no anchor listing in this delta: the deletion can only come from the delta itself
    f.config = { ...f.config, reconciliationIntervalMs: 600_000 };
    await new Promise((resolve) => setTimeout(resolve, 1100)); // modifyTimestamp has one-second granularity
    await admin.modify(people[4]!, [new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Director'] }) })]);
    await admin.modify(`cn=staff,ou=groups,${server.baseDn}`, [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [people[5]!] }) })]);
    await admin.del(people[7]!);
    const report = await f.cycle(connector);
    assert.equal(report.mode, 'delta');
    assert.equal(report.failed, 0, JSON.stringify(f.log.entries.find((e) => e.status === 'Failure')));
    assert.equal(report.deleted, 1);
    const users = await f.listAll('user');
    assert.equal(users.length, 7);
    assert.equal(users.find((u) => u['displayName'] === 'Test User 5')!['jobTitle'], 'Director');
    const staff = (await f.listAll('group')).find((g) => g['displayName'] === 'staff')!;
    assert.deepEqual(await f.members(String(staff['id'])), ['Test User 1', 'Test User 2', 'Test User 3', 'Test User 6']);
  });

  test('without content synchronization, deltas skip the anchor listing until the reconciliation interval has passed; then the deletion arrives', async (t) => {
    const connector = new GenericLdapConnector({ urls: [server.url], bindDn: server.adminDn, bindPassword: server.adminPassword, baseDn: server.baseDn, contentSync: false });
    t.after(() => connector.close());
    f.config = { ...f.config, reconciliationIntervalMs: 600_000 };
    await f.cycle(connector, 'full'); // reconciles: the interval starts now
    assert.equal((JSON.parse((await f.connectorSpace.getWatermark())!) as { syncCookie?: string }).syncCookie, undefined, 'no cookie');
    await admin.del(people[6]!);
    const within = await f.cycle(connector);
    assert.equal(within.mode, 'delta');
    assert.equal(within.deleted, 0);
    assert.equal((await f.listAll('user')).length, 7);
    f.now = new Date(f.now.getTime() + 600_000);
    const after = await f.cycle(connector);
    assert.equal(after.mode, 'delta');
    assert.equal(after.deleted, 1);
    assert.deepEqual((await f.listAll('user')).map((u) => u['displayName']).sort(), ['Test User 1', 'Test User 2', 'Test User 3', 'Test User 4', 'Test User 5', 'Test User 6']);
    // and the interval starts again from that reconciliation
    await admin.del(people[5]!);
    assert.equal((await f.cycle(connector)).deleted, 0);
  });
});

describe('engine ← OpenLDAP without a session log: deletions slapd can only imply (RFC 4533 present phase)', { skip }, () => {
  // one slapd and engine for the block (openLdapEngine), set up in `before`
  let t: Awaited<ReturnType<typeof openLdapEngine>>;

  before(async () => {
    // without olcSpSessionlog, syncprov answers a refresh from an older cookie with what is left, not what went
    t = await openLdapEngine(6, { sessionLog: false });
    // far away: only a delta that says it cannot name its deletions reconciles in these tests
    t.f.config = { ...t.f.config, reconciliationIntervalMs: 600_000 };
    await t.f.cycle(t.connector, 'full');
  });

  after(async () => { await t?.dispose(); });

  /** The connector, except that it cannot list anchors: what the engine deletes then came from the delta itself. */
  const withoutListing = () => ({
    capabilities: t.connector.capabilities,
    fullImport: t.connector.fullImport.bind(t.connector),
    deltaImport: t.connector.deltaImport.bind(t.connector),
    readObject: t.connector.readObject.bind(t.connector),
    readValues: t.connector.readValues.bind(t.connector),
    // eslint-disable-next-line require-yield
    async *listAnchors(): AsyncGenerator<readonly string[]> { throw new Error('this source cannot list its anchors'); },
  });

  test('the delta deletes the user within the reconciliation interval, from what slapd named present', async () => {
    await t.admin.del(t.people[5]!);
    const report = await t.f.cycle(withoutListing());
    assert.equal(report.mode, 'delta');
    assert.equal(report.deleted, 1, 'reconciled in this delta, not ten minutes later, and without a listing');
    assert.deepEqual((await t.f.listAll('user')).map((u) => u['displayName']).sort(), ['Test User 1', 'Test User 2', 'Test User 3', 'Test User 4', 'Test User 5']);
    assert.ok(t.f.log.entries.some((e) => e.action === 'Delete' && e.sourceIdentity.dn === t.people[5]), 'the deletion is in the provisioning log');
    // each delta whose refresh is a present phase reconciles again; one from a current cookie is none, and the
    // interval holds (this source could not list, so such a delta would fail if it tried)
    await t.admin.del(t.people[4]!);
    assert.equal((await t.f.cycle(withoutListing())).deleted, 1, 'a second deletion: a present phase again');
    assert.equal((await t.f.cycle(withoutListing())).deleted, 0);
  });

  test('a cycle that dies after storing the watermark of such a delta, before its sweep, leaves the listing to the next one', async () => {
    await t.admin.del(t.people[3]!);
    const watermarkBefore = await t.f.connectorSpace.getWatermark();
    const dying = new Proxy(t.f.connectorSpace, {
      get(target, property, receiver) {
        if (property === 'listUnseen') return async () => { throw new Error('the service was killed here'); };
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await assert.rejects(t.f.cycle(t.connector, 'auto', { connectorSpace: dying }), /killed here/);
    assert.notEqual(await t.f.connectorSpace.getWatermark(), watermarkBefore, 'the delta\'s watermark was stored: slapd will not imply this deletion again');
    assert.equal((await t.f.listAll('user')).length, 4, 'not deleted yet');
    const next = await t.f.cycle(t.connector);
    assert.equal(next.mode, 'delta');
    assert.equal(next.deleted, 1, 'the next delta (no present phase: nothing changed since) lists anchors and deletes');
    assert.deepEqual((await t.f.listAll('user')).map((u) => u['displayName']).sort(), ['Test User 1', 'Test User 2', 'Test User 3']);
  });
});

/** LDAP2AADProvisioning scoped to these groups (groupFilter.includedGroups: `<GUID=entryUUID>;DN` or a DN). */
function scopedTo(groups: readonly string[], options: { readonly transitive?: boolean } = {}) {
  const schema = structuredClone(getTemplate('LDAP2AADProvisioning')) as SynchronizationSchema;
  for (const rule of schema.synchronizationRules ?? []) {
    const scoped = rule as { groupFilter?: unknown; metadata?: { key: string; value: string }[] | null };
    scoped.groupFilter = { includedGroups: [...groups] };
    if (options.transitive === true) scoped.metadata = [...(scoped.metadata ?? []), { key: 'GroupScopeNesting', value: 'Transitive' }];
  }
  return compileSynchronizationSchema(schema);
}

for (const module of MEMBER_OF_MODULES) describe(`engine ← OpenLDAP keeping memberOf with ${module}: group scope`, { skip }, () => {
  let t: Awaited<ReturnType<typeof openLdapEngine>>;
  let pilot: string;
  let pilotPin: string;
  let other: string;
  const cloudUsers = async () => (await t.f.listAll('user')).map((u) => String(u['displayName'])).sort();
  const members = (operation: 'add' | 'delete', dns: string[]) => new Change({ operation, modification: new Attribute({ type: 'member', values: dns }) });
  const dnsOfEntry = (value: unknown) => (Array.isArray(value) ? value : [value]).map(String);

  before(async () => {
    // users 7 and 8 in no group until the nesting test
    t = await openLdapEngine(8, { memberOf: module });
    pilot = `cn=Pilot,ou=groups,${t.server.baseDn}`;
    other = `cn=Other,ou=groups,${t.server.baseDn}`;
    await addGroupOfNames(t.admin, pilot, t.people.slice(0, 2));
    await addGroupOfNames(t.admin, other, [t.people[2]!]);
    const { searchEntries } = await t.admin.search(pilot, { scope: 'base', attributes: ['entryUUID'] });
    pilotPin = `<GUID=${String(searchEntries[0]!['entryUUID'])}>;${pilot}`;
    t.f.config = { ...t.f.config, schema: scopedTo([pilotPin]) };
  });

  after(async () => { await t?.dispose(); });

  test('pinned by entryUUID: the first full cycle synchronizes the Pilot group\'s members and nobody else', async () => {
    const report = await t.f.cycle(t.connector);
    assert.equal(report.failed, 0, JSON.stringify(t.f.log.entries.find((e) => e.status === 'Failure')));
    assert.deepEqual(await cloudUsers(), ['Test User 1', 'Test User 2']);
  });

  test('a member added and one removed: no member\'s entryCSN moves, so the delta re-evaluates in full, in the same cycle', async () => {
    await t.admin.modify(pilot, [members('add', [t.people[3]!]), members('delete', [t.people[1]!])]);
    const report = await t.f.cycle(t.connector);
    assert.equal(report.mode, 'full', 'the delta went on as a full cycle');
    assert.equal(report.failed, 0, JSON.stringify(t.f.log.entries.find((e) => e.status === 'Failure')));
    assert.deepEqual(await cloudUsers(), ['Test User 1', 'Test User 4']);
    assert.deepEqual((await t.f.listDeleted('user')).map((u) => u['displayName']), ['Test User 2']);
    assert.notEqual(await t.f.connectorSpace.getWatermark(), null, 'the full cycle stored its watermark');
    // and the next delta, with nothing changed, is a delta again
    const quiet = await t.f.cycle(t.connector);
    assert.equal(quiet.mode, 'delta');
    assert.equal(quiet.created + quiet.updated + quiet.deleted + quiet.restored, 0);
  });

  test('a change elsewhere does not re-evaluate: a group outside the scope changes, a member of the Pilot changes her title', async () => {
    await t.admin.modify(other, [members('add', [t.people[4]!])]);
    await t.admin.modify(t.people[0]!, [new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Pilot lead'] }) })]);
    const report = await t.f.cycle(t.connector);
    assert.equal(report.mode, 'delta');
    assert.equal(report.updated, 1);
    assert.deepEqual(await cloudUsers(), ['Test User 1', 'Test User 4']);
  });

  test('the group renamed and a member added: the scope follows the entryUUID', async () => {
    await t.admin.modifyDN(pilot, 'cn=Pilot renamed');
    pilot = `cn=Pilot renamed,ou=groups,${t.server.baseDn}`;
    await t.admin.modify(pilot, [members('add', [t.people[5]!])]);
    const report = await t.f.cycle(t.connector);
    assert.equal(report.failed, 0, JSON.stringify(t.f.log.entries.find((e) => e.status === 'Failure')));
    assert.deepEqual(await cloudUsers(), ['Test User 1', 'Test User 4', 'Test User 6']);
  });

  test('named by DN only: the Other group\'s members replace the Pilot\'s, and one added to it arrives', async () => {
    t.f.config = { ...t.f.config, schema: scopedTo([other]), allowDeletes: true };
    await t.f.cycle(t.connector, 'full');
    assert.deepEqual(await cloudUsers(), ['Test User 3', 'Test User 5']);
    await t.admin.modify(other, [members('add', [t.people[1]!])]);
    const report = await t.f.cycle(t.connector);
    assert.equal(report.mode, 'full');
    assert.deepEqual(await cloudUsers(), ['Test User 2', 'Test User 3', 'Test User 5']);
  });

  // dynlist names no group on a group unless told to flatten (`…@groupOfNames*`, which makes memberOf transitive and
  // every member list the nested members too): nesting is walked through the memberof overlay's memberOf only
  if (module === 'memberof') test('nested members counted (GroupScopeNesting = Transitive): in with their group, in when added to it, out with it', async () => {
    const inner = `cn=Inner,ou=groups,${t.server.baseDn}`;
    await addGroupOfNames(t.admin, inner, [t.people[6]!]);
    await t.admin.modify(pilot, [members('add', [inner])]);
    t.f.config = { ...t.f.config, schema: scopedTo([pilotPin], { transitive: true }) };
    await t.f.cycle(t.connector, 'full');
    assert.deepEqual(await cloudUsers(), ['Test User 1', 'Test User 4', 'Test User 6', 'Test User 7']);
    // the nested group is reported, not the Pilot: it reaches the Pilot through its own memberOf
    await t.admin.modify(inner, [members('add', [t.people[7]!])]);
    assert.equal((await t.f.cycle(t.connector)).mode, 'full');
    assert.deepEqual(await cloudUsers(), ['Test User 1', 'Test User 4', 'Test User 6', 'Test User 7', 'Test User 8']);
    await t.admin.modify(pilot, [members('delete', [inner])]);
    assert.equal((await t.f.cycle(t.connector)).mode, 'full');
    assert.deepEqual(await cloudUsers(), ['Test User 1', 'Test User 4', 'Test User 6']);
  });

  test('a scoping-filter clause memberOf IS_MEMBER_OF a group (by entryUUID): its members, and one added to it in the next cycle', async () => {
    const { searchEntries } = await t.admin.search(other, { scope: 'base', attributes: ['entryUUID', 'member'] });
    const holders = dnsOfEntry(searchEntries[0]!['member']);
    t.f.config = { ...t.f.config, schema: memberOfClause(String(searchEntries[0]!['entryUUID'])) };
    await t.f.cycle(t.connector, 'full');
    assert.deepEqual(await cloudUsers(), ['Test User 2', 'Test User 3', 'Test User 5'], `Other holds ${holders.join('; ')}`);
    await t.admin.modify(other, [members('add', [t.people[0]!])]);
    assert.equal((await t.f.cycle(t.connector)).mode, 'full');
    assert.deepEqual(await cloudUsers(), ['Test User 1', 'Test User 2', 'Test User 3', 'Test User 5']);
  });
});

/** LDAP2AADProvisioning whose user mapping is scoped by a clause `memberOf IS_MEMBER_OF <entryUUID>` (no group scope). */
function memberOfClause(entryUuid: string) {
  const schema = structuredClone(getTemplate('LDAP2AADProvisioning')) as SynchronizationSchema;
  const users = schema.synchronizationRules![0]!.objectMappings!.find((m) => m.targetObjectName === 'User')!;
  const clause = { sourceOperandName: 'memberOf', operatorName: 'IS_MEMBER_OF', targetOperand: { values: [entryUuid] } };
  (users as { scope?: unknown }).scope = { groups: [{ name: 'members of Other', clauses: [clause] }] };
  return compileSynchronizationSchema(schema);
}

describe('engine ← OpenLDAP keeping memberOf: a scoping group\'s change under the accidental-delete threshold', { skip }, () => {
  test('members who left are held, cycle after cycle, until approved; nothing is deleted before', async (t) => {
    const ldap = await openLdapEngine(4, { memberOf: 'memberof' });
    t.after(() => ldap.dispose());
    const pilot = `cn=Pilot,ou=groups,${ldap.server.baseDn}`;
    await addGroupOfNames(ldap.admin, pilot, ldap.people);
    ldap.f.config = { ...ldap.f.config, schema: scopedTo([pilot]), deleteThreshold: 2 };
    await ldap.f.cycle(ldap.connector);
    const names = async () => (await ldap.f.listAll('user')).map((u) => String(u['displayName'])).sort();
    assert.deepEqual(await names(), ['Test User 1', 'Test User 2', 'Test User 3', 'Test User 4']);
    await ldap.admin.modify(pilot, [new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: ldap.people.slice(1) }) })]);
    const held = (error: unknown) => isCloudsyncError(error) && error.code === 'ERR_SYNC_DELETE_THRESHOLD';
    await assert.rejects(ldap.f.cycle(ldap.connector), held, 'the delta went on in full and held three deletions');
    assert.equal(await ldap.f.connectorSpace.getWatermark(), null, 'no watermark: the next cycle is full again');
    await assert.rejects(ldap.f.cycle(ldap.connector), held, 'held again');
    assert.deepEqual(await names(), ['Test User 1', 'Test User 2', 'Test User 3', 'Test User 4'], 'nothing deleted yet');
    ldap.f.config = { ...ldap.f.config, allowDeletes: true };
    const approved = await ldap.f.cycle(ldap.connector);
    assert.equal(approved.deleted, 3);
    assert.deepEqual(await names(), ['Test User 1']);
    assert.notEqual(await ldap.f.connectorSpace.getWatermark(), null);
  });
});

describe('engine ← OpenLDAP keeping no memberOf: group scope', { skip }, () => {
  test('a scope by group is refused with what the server lacks, and nothing is written', async (t) => {
    const bare = await openLdapEngine(2);
    t.after(() => bare.dispose());
    await addGroupOfNames(bare.admin, `cn=Pilot,ou=groups,${bare.server.baseDn}`, bare.people);
    bare.f.config = { ...bare.f.config, schema: scopedTo([`cn=Pilot,ou=groups,${bare.server.baseDn}`]) };
    await assert.rejects(bare.f.cycle(bare.connector), (error: unknown) => {
      assert.ok(isCloudsyncError(error) && error.code === 'ERR_SCOPE_INVALID', String(error));
      assert.match(error.message, /keeps no memberOf.*memberof overlay/);
      return true;
    });
    assert.deepEqual(await bare.f.listAll('user'), []);
    assert.equal(await bare.f.connectorSpace.getWatermark(), null);
  });
});
