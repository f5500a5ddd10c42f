/**
 * The generic LDAP connector against a real (throwaway) OpenLDAP slapd. One server for the whole file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Attribute, Change, type Client } from 'ldapts';
import { CloudsyncError } from '../../../src/errors/index.ts';
import { isReference, type Value } from '../../../src/expressions/value.ts';
import { GenericLdapConnector, type GenericLdapConnectorOptions } from '../../../src/connectors/ldap/generic-ldap-connector.ts';
import { defaultAnchorOf, type ImportBatch, type SourceObject } from '../../../src/connectors/source-connector.ts';
import { addGroupOfNames, genericUsersLdif, openLdapUnavailableReason, seedGenericUsers, startOpenLdap, type OpenLdapServer } from '../../harness/openldap.ts';
import { startSilentServer } from '../../harness/silent-server.ts';

const skip = openLdapUnavailableReason();

async function collect(batches: AsyncIterable<ImportBatch>): Promise<{
  objects: SourceObject[];
  deletedAnchors: string[];
  /** undefined unless the batch with the watermark said the list is complete */
  presentAnchors: string[] | undefined;
  reconcileDeletions: boolean;
  watermark: string | undefined;
}> {
  const objects: SourceObject[] = [];
  const deletedAnchors: string[] = [];
  const present: string[] = [];
  let presentAnchors: string[] | undefined;
  let reconcileDeletions = false;
  let watermark: string | undefined;
  for await (const batch of batches) {
    assert.equal(watermark, undefined, 'nothing after the batch with the watermark');
    objects.push(...batch.objects);
    deletedAnchors.push(...(batch.deletedAnchors ?? []));
    present.push(...(batch.presentAnchors ?? []));
    if (batch.watermark !== undefined && batch.presentAnchors !== undefined) presentAnchors = present;
    if (batch.reconcileDeletions === true) {
      assert.ok(batch.watermark, 'reconcileDeletions rides with the watermark');
      reconcileDeletions = true;
    }
    if (batch.watermark) watermark = batch.watermark;
  }
  if (presentAnchors === undefined) assert.deepEqual(present, [], 'present anchors end on the batch with the watermark');
  return { objects, deletedAnchors, presentAnchors, reconcileDeletions, watermark };
}

/** Every anchor the connector lists (what a present phase must equal), sorted. */
async function listed(connector: GenericLdapConnector): Promise<string[]> {
  const anchors: string[] = [];
  for await (const page of connector.listAnchors()) anchors.push(...page);
  return anchors.sort();
}

/** The watermark with another RFC 4533 cookie (OpenLDAP's cookie is text: `rid=…,csn=…`). */
const withCookie = (watermark: string, cookie: string): string =>
  JSON.stringify({ ...JSON.parse(watermark) as object, syncCookie: Buffer.from(cookie).toString('base64') });

const dnsOf = (value: Value | undefined): string[] =>
  ((Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]) as unknown[]).filter(isReference).map((r) => r.dn);

describe('GenericLdapConnector against OpenLDAP', { skip }, () => {
  let server: OpenLdapServer;
  let admin: Client;
  let users: string[];
  const options = (extra: Partial<GenericLdapConnectorOptions> = {}): GenericLdapConnectorOptions => ({
    urls: [server.url], bindDn: server.adminDn, bindPassword: server.adminPassword, baseDn: server.baseDn, ...extra,
  });

  before(async () => {
    server = await startOpenLdap();
    admin = await server.admin();
    users = await seedGenericUsers(server, 120);
    await admin.add(`ou=archive,${server.baseDn}`, { objectClass: ['organizationalUnit'], ou: 'archive' });
    await addGroupOfNames(admin, `cn=staff,ou=groups,${server.baseDn}`, users.slice(0, 100));
    await addGroupOfNames(admin, `cn=all,ou=groups,${server.baseDn}`, [`cn=staff,ou=groups,${server.baseDn}`, users[119]!]);
  });

  after(async () => { await server?.stop(); });

  test('full import: inetOrgPersons, groups and OUs with entryUUID anchors and typed values', async () => {
    const connector = new GenericLdapConnector(options());
    try {
      const { objects, watermark } = await collect(connector.fullImport({ batchSize: 50 }));
      assert.ok(watermark);
      assert.equal(objects.filter((o) => o.type === 'inetOrgPerson').length, 120);
      assert.equal(objects.filter((o) => o.type === 'group').length, 2);
      assert.equal(objects.filter((o) => o.type === 'organizationalUnit').length, 3);
      const user = objects.find((o) => o.dn === users[0])!;
      assert.match(user.anchors.entryUuid ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(defaultAnchorOf(user), user.anchors.entryUuid);
      assert.deepEqual(user.attributes['mail'], ['user000001@example.org'], 'mail is multi-valued in inetOrgPerson: always an array');
      assert.ok(user.attributes['modifyTimestamp'] instanceof Date, 'GeneralizedTime → Date');
      assert.ok(user.entryCsn);
      assert.equal(user.parentDn, `ou=people,${server.baseDn}`);
      const staff = objects.find((o) => o.dn.startsWith('cn=staff,'))!;
      assert.equal(dnsOf(staff.attributes['member']).length, 100);
      const identity = await connector.readObject(staff.dn, { identityOnly: true });
      assert.deepEqual([identity?.dn, identity?.type, identity?.anchors], [staff.dn, 'group', staff.anchors], 'identity only: the same object');
      assert.deepEqual(Object.keys(identity!.attributes).map((name) => name.toLowerCase()).sort(), ['entryuuid', 'objectclass'], 'and none of its values');
      // <GUID=…> names an object by its entryUUID, whatever its DN now (how the engine finds a pinned scoping group)
      const byUuid = await connector.readObject(`<GUID=${staff.anchors.entryUuid!.toUpperCase()}>`, { identityOnly: true });
      assert.deepEqual([byUuid?.dn, byUuid?.anchors], [staff.dn, staff.anchors]);
      assert.equal(dnsOf((await connector.readObject(`<GUID=${staff.anchors.entryUuid!}>`))?.attributes['member']).length, 100, 'read whole');
      assert.equal(await connector.readObject('<GUID=00000000-0000-4000-8000-000000000000>'), undefined, 'no such entryUUID');
    } finally {
      await connector.close();
    }
  });

  test('delta by entryCSN reports creates, modifies, renames and moves; deletions by content synchronization (RFC 4533) and by anchor reconciliation', async () => {
    const connector = new GenericLdapConnector(options());
    try {
      const full = await collect(connector.fullImport());
      assert.ok((JSON.parse(full.watermark!) as { syncCookie?: string }).syncCookie, 'syncprov offers content synchronization: the watermark holds its cookie');
      const idle = await collect(connector.deltaImport(full.watermark!));
      assert.equal(idle.objects.length, 0, 'nothing changed');
      assert.deepEqual(idle.deletedAnchors, []);

      const before = new Map(full.objects.map((o) => [o.dn, o]));
      const renamedFrom = users[1]!;
      const movedFrom = users[2]!;
      const deletedDn = users[3]!;
      await admin.add(`uid=newbie,ou=people,${server.baseDn}`, { objectClass: ['inetOrgPerson'], uid: 'newbie', cn: 'New Bie', sn: 'Bie' });
      await admin.modify(users[0]!, [new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Manager'] }) })]);
      await admin.modifyDN(renamedFrom, `uid=renamed,ou=people,${server.baseDn}`);
      await admin.modifyDN(movedFrom, `uid=user000003,ou=archive,${server.baseDn}`);
      await admin.del(deletedDn);

      const delta = await collect(connector.deltaImport(full.watermark!));
      const dns = delta.objects.map((o) => o.dn).sort();
      assert.deepEqual(dns, [
        users[0]!,
        `uid=newbie,ou=people,${server.baseDn}`,
        `uid=renamed,ou=people,${server.baseDn}`,
        `uid=user000003,ou=archive,${server.baseDn}`,
      ].sort());
      const renamed = delta.objects.find((o) => o.dn.startsWith('uid=renamed'))!;
      assert.equal(renamed.anchors.entryUuid, before.get(renamedFrom)!.anchors.entryUuid, 'a rename keeps the entryUUID');
      const moved = delta.objects.find((o) => o.dn.includes('ou=archive'))!;
      assert.equal(moved.anchors.entryUuid, before.get(movedFrom)!.anchors.entryUuid);
      assert.equal(moved.parentDn, `ou=archive,${server.baseDn}`);
      assert.deepEqual(delta.objects.find((o) => o.dn === users[0])?.attributes['title'], ['Manager'], 'title is multi-valued in the LDAP schema');

      const anchors = new Set<string>();
      for await (const page of connector.listAnchors({ batchSize: 40 })) for (const a of page) anchors.add(a);
      const gone = full.objects.filter((o) => !anchors.has(o.anchors.entryUuid!)).map((o) => o.dn);
      assert.deepEqual(gone, [deletedDn], 'reconciliation finds exactly the deleted entry');
      assert.deepEqual(delta.deletedAnchors, [before.get(deletedDn)!.anchors.entryUuid], 'the delta itself reports the deletion, by entryUUID');
      assert.equal(delta.reconcileDeletions, false, 'slapd\'s session log covers the cookie: every deletion is named');
      assert.equal(delta.presentAnchors, undefined, 'a delete phase lists nothing present');

      const again = await collect(connector.deltaImport(delta.watermark!));
      assert.equal(again.objects.length, 0);
      assert.deepEqual(again.deletedAnchors, [], 'a deletion is reported once: the next delta starts from the new cookie');

      // A watermark written before content synchronization (no cookie) still works: its delta cannot know the
      // deletions (reconciliation finds them), and starts a cookie for the next one.
      const { syncCookie: _, ...old } = JSON.parse(again.watermark!) as Record<string, unknown>;
      await admin.del(users[4]!);
      const fromOld = await collect(connector.deltaImport(JSON.stringify(old)));
      assert.deepEqual(fromOld.deletedAnchors, []);
      assert.ok((JSON.parse(fromOld.watermark!) as { syncCookie?: string }).syncCookie);
      await admin.del(users[5]!);
      const next = await collect(connector.deltaImport(fromOld.watermark!));
      assert.deepEqual(next.deletedAnchors, [before.get(users[5]!)!.anchors.entryUuid]);

      // A cookie the server cannot parse (a corrupted watermark) fails nothing: slapd answers as to no cookie, that
      // delta reports no deletions (the anchor listing finds them at its interval) and hands back a cookie that works.
      const refused = await collect(connector.deltaImport(withCookie(next.watermark!, 'rid=abc,sid=zz,csn=not-a-csn')));
      assert.deepEqual(refused.deletedAnchors, []);
      await admin.del(users[6]!);
      const recovered = await collect(connector.deltaImport(refused.watermark!));
      assert.deepEqual(recovered.deletedAnchors, [before.get(users[6]!)!.anchors.entryUuid]);
      assert.equal(recovered.reconcileDeletions, false, 'the deletion is named: no listing needed');

      // A cookie from after everything slapd knows (a directory restored from an older backup): slapd refuses it
      // ("consumer state is newer than provider", unwillingToPerform). Deletions since the watermark are then
      // unknown, and the delta says so; the next one has a cookie that works.
      const restored = await collect(connector.deltaImport(withCookie(recovered.watermark!, 'rid=000,csn=20991231000000.000000Z#000000#000#000000')));
      assert.deepEqual(restored.deletedAnchors, []);
      assert.equal(restored.reconcileDeletions, true, 'a refused cookie: the engine must list anchors');
      await admin.del(users[7]!);
      const afterRestore = await collect(connector.deltaImport(restored.watermark!));
      assert.deepEqual(afterRestore.deletedAnchors, [before.get(users[7]!)!.anchors.entryUuid]);
      assert.equal(afterRestore.reconcileDeletions, false);

      // A cookie older than the session log reaches: slapd answers with a present phase (what is left, not what
      // went), so the delta names no deletion and asks for the listing.
      const old2020 = await collect(connector.deltaImport(withCookie(afterRestore.watermark!, 'rid=000,csn=20200101000000.000000Z#000000#000#000000'), { batchSize: 50 }));
      assert.deepEqual(old2020.deletedAnchors, []);
      assert.equal(old2020.reconcileDeletions, true, 'a present phase: the engine must reconcile');
      assert.deepEqual([...old2020.presentAnchors!].sort(), await listed(connector), 'what it names present is the anchor listing, over batches of 50');
      assert.equal(restored.presentAnchors, undefined, 'a refused cookie lists nothing');
    } finally {
      await connector.close();
    }
  });

  test('change notifications (RFC 4533 refreshAndPersist): ready, then a hint per change as slapd commits it, until aborted', async () => {
    const connector = new GenericLdapConnector(options());
    const controller = new AbortController();
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => { ready = resolve; });
    const hints: number[] = [];
    let wake: (() => void) | undefined;
    try {
      const running = connector.changeNotifications({
        signal: controller.signal,
        onReady: () => ready(),
        onChange: () => {
          hints.push(Date.now());
          wake?.();
        },
      });
      await isReady;
      assert.equal(hints.length, 0, 'from a fresh cookie: nothing to refresh');
      const hinted = (count: number) => new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${hints.length} hints, expected ${count}`)), 5000);
        wake = () => {
          if (hints.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        };
        wake();
      });
      const t0 = Date.now();
      await admin.modify(users[10]!, [new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Pushed'] }) })]);
      await hinted(1);
      assert.ok(hints[0]! - t0 < 2000, `${hints[0]! - t0} ms`);
      await admin.del(users[11]!);
      await hinted(2);
      // a change outside the imported filter (an entry that is no inetOrgPerson, group or OU) is no hint
      await admin.add(`cn=printer,${server.baseDn}`, { objectClass: ['device'], cn: 'printer' });
      await admin.modify(users[12]!, [new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Pushed'] }) })]);
      await hinted(3);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(hints.length, 3);
      controller.abort();
      assert.equal(await running, true, 'an abort ends the notifications');
    } finally {
      controller.abort();
      await connector.close();
    }
    const off = new GenericLdapConnector(options({ contentSync: false }));
    try {
      assert.equal(await off.changeNotifications({ signal: new AbortController().signal, onChange: () => {} }), false, 'no content synchronization: no push');
    } finally {
      await off.close();
    }
  });

  test('change notifications: a first server that accepts TCP and never answers the bind is given up, and the next one pushes', async () => {
    const silent = await startSilentServer();
    // the persisting search has no operation timeout; its bind has the connector's (1 s here)
    const connector = new GenericLdapConnector(options({ urls: [`ldap://127.0.0.1:${silent.port}`, server.url], operationTimeoutMs: 1000, connectTimeoutMs: 1000 }));
    const controller = new AbortController();
    try {
      const t0 = Date.now();
      let ready!: () => void;
      const isReady = new Promise<void>((resolve) => { ready = resolve; });
      const running = connector.changeNotifications({ signal: controller.signal, onReady: () => ready(), onChange: () => {} });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('the push never became ready: its bind waits on the silent server')), 8000); });
      await Promise.race([isReady, timeout]).finally(() => clearTimeout(timer));
      assert.ok(Date.now() - t0 < 6000, `${Date.now() - t0} ms`);
      controller.abort();
      assert.equal(await running, true);
    } finally {
      controller.abort();
      await connector.close();
      await silent.close();
    }
  });

  test('a server that goes away between operations is failed over to the next URL', async () => {
    const first = await startOpenLdap();
    try {
      await seedGenericUsers(first, 1);
      // Two servers with the same suffix and admin: the connector cannot tell them apart except by entryUUID.
      const connector = new GenericLdapConnector(options({ urls: [first.url, server.url] }));
      try {
        const onFirst = await connector.readObject(`uid=user000001,ou=people,${server.baseDn}`);
        assert.equal(connector.connection.currentUrl, first.url);
        await first.stop();
        const onSecond = await connector.readObject(`uid=user000001,ou=people,${server.baseDn}`);
        assert.equal(connector.connection.currentUrl, server.url);
        assert.ok(onFirst && onSecond);
        assert.notEqual(onSecond.anchors.entryUuid, onFirst.anchors.entryUuid, 'read from the second server');
      } finally {
        await connector.close();
      }
    } finally {
      await first.stop();
    }
  });

  test('a server lost in the middle of a paged import is a retryable ERR_LDAP_UNREACHABLE and the retry uses the next URL', async () => {
    const first = await startOpenLdap();
    try {
      await seedGenericUsers(first, 2500);
      const connector = new GenericLdapConnector(options({ urls: [first.url, server.url], pageSize: 500 }));
      try {
        let seen = 0;
        await assert.rejects(async () => {
          for await (const batch of connector.fullImport({ batchSize: 500 })) {
            seen += batch.objects.length;
            if (seen === 500) await first.stop();
          }
        }, (e: unknown) => e instanceof CloudsyncError && e.code === 'ERR_LDAP_UNREACHABLE' && e.details?.['retryable'] === true);
        let again = 0;
        for await (const batch of connector.fullImport()) again += batch.objects.length;
        assert.equal(connector.connection.currentUrl, server.url);
        assert.ok(again > 0 && again < 2500, 'the retry read the second server');
      } finally {
        await connector.close();
      }
    } finally {
      await first.stop();
    }
  });

  test('LDAPS and StartTLS with the CA verified; a wrong CA, a wrong password and an unreachable server fail with their codes', async () => {
    for (const extra of [{ urls: [server.ldapsUrl] }, { urls: [server.url], startTls: true }]) {
      const good = new GenericLdapConnector(options({ ...extra, caFile: server.caFile }));
      assert.equal((await good.readObject(users[0]!))?.type, 'inetOrgPerson');
      await good.close();
      const wrong = new GenericLdapConnector(options({ ...extra, caFile: server.otherCaFile }));
      await assert.rejects(wrong.readObject(users[0]!), (e: unknown) => e instanceof CloudsyncError && e.code === 'ERR_LDAP_TLS');
      await wrong.close();
    }
    const badPassword = new GenericLdapConnector(options({ bindPassword: 'not-it' }));
    await assert.rejects(badPassword.readObject(users[0]!), (e: unknown) => e instanceof CloudsyncError && e.code === 'ERR_LDAP_INVALID_CREDENTIALS' && !e.message.includes('not-it'));
    await badPassword.close();
    const failover = new GenericLdapConnector(options({ urls: ['ldap://127.0.0.1:1', server.url] }));
    assert.equal((await failover.readObject(users[0]!))?.type, 'inetOrgPerson');
    await failover.close();
    const none = new GenericLdapConnector(options({ urls: ['ldap://127.0.0.1:1'] }));
    await assert.rejects(none.readObject(users[0]!), (e: unknown) => e instanceof CloudsyncError && e.code === 'ERR_LDAP_UNREACHABLE');
    await none.close();
  });
});

describe('GenericLdapConnector: a present phase over 150,000 entries', { skip }, () => {
  let server: OpenLdapServer;

  before(async () => {
    server = await startOpenLdap({
      initialEntries(write) {
        for (let start = 1; start <= 150_000; start += 10_000) write(genericUsersLdif(10_000, { start }));
      },
      startTimeoutMs: 60_000,
    });
  });

  after(async () => { await server?.stop(); });

  test('a delta from a cookie older than the session log completes, names no deletion and asks for the listing', async () => {
    const admin = await server.admin();
    const { searchEntries } = await admin.search(server.baseDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['contextCSN'] });
    const csns = [searchEntries[0]!['contextCSN']!].flat().map(String);
    // slapd answers this cookie by sending every entry in scope as "present": 150,000 messages in one search, which
    // ldapts, left to keep them, hands over as one push(...entries) that overflows the stack
    const watermark = JSON.stringify({ v: 1, kind: 'csn', csns, syncCookie: Buffer.from('rid=000,csn=20200101000000.000000Z#000000#000#000000').toString('base64') });
    const connector = new GenericLdapConnector({ urls: [server.url], bindDn: server.adminDn, bindPassword: server.adminPassword, baseDn: server.baseDn });
    try {
      const delta = await collect(connector.deltaImport(watermark));
      assert.equal(delta.objects.length, 0, 'nothing changed since contextCSN');
      assert.deepEqual(delta.deletedAnchors, []);
      assert.equal(delta.reconcileDeletions, true);
      assert.deepEqual(delta.presentAnchors!.sort(), await listed(connector), 'every entry in scope, as the listing has them');
      const next = JSON.parse(delta.watermark!) as { syncCookie?: string };
      assert.match(Buffer.from(next.syncCookie!, 'base64').toString(), /csn=\d{14}/, 'a current cookie for the next delta');
    } finally {
      await connector.close();
    }
  });
});
