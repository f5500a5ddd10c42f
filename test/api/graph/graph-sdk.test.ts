/**
 * Issue 2 §6: Microsoft's Graph SDK for JavaScript (@microsoft/microsoft-graph-client), pointed at a real
 * listening server over HTTPS with a token from our token endpoint, on SQLite and on PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, GraphError, PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import type { AddressInfo } from 'node:net';
import { selectedBackends, startApi, type ApiFixture } from '../api-harness.ts';
import { loopbackCertificate } from '../tls-certificate.ts';
import { stopPostgres } from '../../harness/postgres.ts';

interface GraphUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  jobTitle?: string | null;
}

for (const backend of selectedBackends()) {
  describe(`Graph SDK on ${backend}`, () => {
    let api: ApiFixture;
    let client: Client;
    let domain: string;
    let base: string;

    before(async () => {
      api = await startApi(backend, { https: loopbackCertificate() });
      await api.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = api.app.server.address() as AddressInfo;
      base = `https://127.0.0.1:${port}`;
      // The token comes from our token endpoint over real HTTPS, exactly as a script would get it.
      const response = await fetch(`${base}/${api.tenant.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: api.tenant.clientId,
          client_secret: api.tenant.clientSecret,
          scope: 'https://graph.microsoft.com/.default',
        }),
      });
      assert.equal(response.status, 200);
      const { access_token: token } = (await response.json()) as { access_token: string };
      client = Client.init({
        authProvider: (done) => done(null, token),
        baseUrl: base,
        defaultVersion: 'v1.0',
        // The SDK sends the token only to Graph's hosts and these (host names, no port).
        customHosts: new Set(['127.0.0.1']),
      });
      domain = ((await client.api('/domains').get()) as { value: Array<{ id: string; isDefault: boolean }> }).value.find((d) => d.isDefault)!.id;
    });

    after(async () => {
      await api.close();
    });

    async function createUser(name: string, extra: Record<string, unknown> = {}): Promise<GraphUser> {
      return (await client.api('/users').post({
        accountEnabled: true,
        displayName: name,
        mailNickname: name,
        userPrincipalName: `${name}@${domain}`,
        passwordProfile: { forceChangePasswordNextSignIn: true, password: 'xWwvJ]6NMw+bWH-d' },
        ...extra,
      })) as GraphUser;
    }

    async function collectAll<T>(first: PageCollection): Promise<T[]> {
      const items: T[] = [];
      const iterator = new PageIterator(client, first, (item: T) => {
        items.push(item);
        return true;
      });
      await iterator.iterate();
      return items;
    }

    test('create users and groups, page through nextLink, filter', async () => {
      const created: GraphUser[] = [];
      for (let i = 0; i < 23; i += 1) created.push(await createUser(`sdk${String(i).padStart(2, '0')}`, { jobTitle: i % 2 === 0 ? 'Engineer' : 'Designer' }));
      assert.equal(created[0]!.userPrincipalName, `sdk00@${domain}`);

      const firstPage = (await client.api('/users').top(5).select('id,displayName,userPrincipalName').get()) as PageCollection;
      assert.equal(firstPage.value.length, 5);
      assert.ok(firstPage['@odata.nextLink']?.startsWith(`${base}/v1.0/users?`));
      const all = await collectAll<GraphUser>(firstPage);
      assert.equal(all.length, 23);
      assert.equal(new Set(all.map((user) => user.id)).size, 23);
      assert.deepEqual(Object.keys(all[7]!).sort(), ['displayName', 'id', 'userPrincipalName']);

      const byUpn = (await client.api('/users').filter(`userPrincipalName eq 'sdk07@${domain}'`).get()) as PageCollection;
      assert.deepEqual(byUpn.value.map((user: GraphUser) => user.id), [created[7]!.id]);

      const engineers = (await client
        .api('/users')
        .header('ConsistencyLevel', 'eventual')
        .filter("startswith(displayName, 'sdk1') and jobTitle eq 'Engineer'")
        .count(true)
        .orderby('displayName desc')
        .get()) as PageCollection & { '@odata.count': number };
      assert.deepEqual(engineers.value.map((user: GraphUser) => user.displayName), ['sdk18', 'sdk16', 'sdk14', 'sdk12', 'sdk10']);
      assert.equal(engineers['@odata.count'], 5);

      const byUpnPath = (await client.api(`/users/sdk03@${domain}`).get()) as GraphUser;
      assert.equal(byUpnPath.id, created[3]!.id);
    });

    test('add and remove members by $ref; memberOf and transitiveMembers', async () => {
      const group = (await client.api('/groups').post({ displayName: 'SDK Team', mailEnabled: false, mailNickname: 'sdkteam', securityEnabled: true })) as { id: string };
      const parent = (await client.api('/groups').post({ displayName: 'SDK Parent', mailEnabled: false, mailNickname: 'sdkparent', securityEnabled: true })) as { id: string };
      const users = [await createUser('member1'), await createUser('member2'), await createUser('member3')];
      for (const user of users) {
        await client.api(`/groups/${group.id}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${user.id}` });
      }
      await client.api(`/groups/${parent.id}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${group.id}` });

      const members = (await client.api(`/groups/${group.id}/members`).get()) as PageCollection;
      assert.deepEqual(members.value.map((m: { id: string }) => m.id).sort(), users.map((u) => u.id).sort());
      assert.ok(members.value.every((m: Record<string, unknown>) => m['@odata.type'] === '#microsoft.graph.user'));

      await assert.rejects(
        client.api(`/groups/${group.id}/members/$ref`).post({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${users[0]!.id}` }),
        (error: unknown) => error instanceof GraphError && error.statusCode === 400 && error.code === 'Request_BadRequest',
      );

      await client.api(`/groups/${group.id}/members/${users[1]!.id}/$ref`).delete();
      const after = (await client.api(`/groups/${group.id}/members`).get()) as PageCollection;
      assert.deepEqual(after.value.map((m: { id: string }) => m.id).sort(), [users[0]!.id, users[2]!.id].sort());

      const memberOf = (await client.api(`/users/${users[0]!.id}/memberOf`).get()) as PageCollection;
      assert.deepEqual(memberOf.value.map((g: { id: string }) => g.id), [group.id]);
      const transitive = (await client.api(`/groups/${parent.id}/transitiveMembers`).get()) as PageCollection;
      assert.deepEqual(new Set(transitive.value.map((m: { id: string }) => m.id)), new Set([group.id, users[0]!.id, users[2]!.id]));
    });

    test('delta query after changes', async () => {
      let page = (await client.api('/users/delta').select('displayName,jobTitle').get()) as PageCollection & { '@odata.deltaLink'?: string };
      const initial: Array<Record<string, unknown>> = [...page.value];
      while (page['@odata.nextLink'] !== undefined) {
        page = (await client.api(page['@odata.nextLink']).get()) as typeof page;
        initial.push(...page.value);
      }
      const deltaLink = page['@odata.deltaLink'];
      assert.ok(deltaLink?.startsWith(`${base}/v1.0/users/delta?`), deltaLink);
      assert.ok(initial.length >= 26);

      const changed = await createUser('deltanew');
      const victim = initial.find((user) => user['displayName'] === 'sdk01')!;
      const edited = initial.find((user) => user['displayName'] === 'sdk02')!;
      await client.api(`/users/${edited['id']}`).patch({ jobTitle: 'Manager' });
      await client.api(`/users/${victim['id']}`).delete();

      const changes = (await client.api(deltaLink!).get()) as PageCollection & { '@odata.deltaLink'?: string };
      const byId = new Map(changes.value.map((entry: Record<string, unknown>) => [entry['id'], entry]));
      assert.equal((byId.get(changed.id) as Record<string, unknown>)['displayName'], 'deltanew');
      assert.equal((byId.get(edited['id']) as Record<string, unknown>)['jobTitle'], 'Manager');
      assert.deepEqual((byId.get(victim['id']) as Record<string, unknown>)['@removed'], { reason: 'changed' });
      assert.ok(changes['@odata.deltaLink']);
      const quiet = (await client.api(changes['@odata.deltaLink']!).get()) as PageCollection;
      assert.equal(quiet.value.length, 0);
    });

    test('soft delete and restore', async () => {
      const user = await createUser('restoreme');
      await client.api(`/users/${user.id}`).delete();
      await assert.rejects(client.api(`/users/${user.id}`).get(), (error: unknown) => error instanceof GraphError && error.statusCode === 404 && error.code === 'Request_ResourceNotFound');
      const deleted = (await client.api('/directory/deletedItems/microsoft.graph.user').get()) as PageCollection;
      const entry = deleted.value.find((item: { id: string }) => item.id === user.id) as Record<string, unknown> | undefined;
      assert.ok(entry);
      assert.equal(typeof entry['deletedDateTime'], 'string');

      const restored = (await client.api(`/directory/deletedItems/${user.id}/restore`).post({})) as Record<string, unknown>;
      assert.equal(restored['id'], user.id);
      assert.equal(((await client.api(`/users/${user.id}`).get()) as GraphUser).displayName, 'restoreme');

      await client.api(`/users/${user.id}`).delete();
      await client.api(`/directory/deletedItems/${user.id}`).delete();
      await assert.rejects(client.api(`/directory/deletedItems/${user.id}`).get(), (error: unknown) => error instanceof GraphError && error.statusCode === 404);
    });

    test('errors reach the SDK as GraphError with Graph codes', async () => {
      await assert.rejects(client.api('/users').filter("displayName eq 'x' or").get(), (error: unknown) => {
        assert.ok(error instanceof GraphError);
        assert.equal(error.statusCode, 400);
        assert.equal(error.code, 'BadRequest');
        assert.match(error.message, /position 21/);
        assert.equal(typeof error.requestId, 'string');
        return true;
      });
    });
  });
}

// After the suites, so every store is closed before the server stops.
after(async () => {
  await stopPostgres();
});
