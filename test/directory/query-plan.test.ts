/**
 * `userPrincipalName eq '…'` must be one probe of the UPN index, not a scan, on both backends: the directory's
 * own queries are captured through Kysely's log and explained by the database.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, type LogEvent } from 'kysely';
import pg from 'pg';
import { createCloudDirectory } from '../../src/directory/index.ts';
import type { DirectoryDatabase } from '../../src/directory/directory-store.ts';
import { openStore, SQLITE_FILE_NAME } from '../../src/storage/index.ts';
import { adaptNodeSqlite, openNodeSqlite } from '../../src/storage/node-sqlite-database.ts';
import { createTestDatabase } from '../harness/postgres.ts';
import { BACKENDS } from '../storage/backends.ts';
import { stopHarnessAfterAll } from './fixture.ts';

/**
 * A fresh SQLite store and a directory on a second connection to it whose SQL is captured (Kysely's log), so that
 * a test can explain what the directory sent.
 */
async function withLoggingSqliteDirectory(
  body: (context: { directory: ReturnType<typeof createCloudDirectory>; db: Kysely<DirectoryDatabase>; captured: CompiledQuery[] }) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudsync-plan-'));
  const store = await openStore({ dataDir: dir });
  const captured: CompiledQuery[] = [];
  const db = new Kysely<DirectoryDatabase>({
    dialect: new SqliteDialect({ database: adaptNodeSqlite(openNodeSqlite(join(dir, SQLITE_FILE_NAME), { busyTimeoutMs: 5000 })) }),
    log: (event: LogEvent) => {
      if (event.level === 'query') captured.push(event.query);
    },
  });
  try {
    await body({ directory: createCloudDirectory({ db, dialect: store.dialect }), db, captured });
  } finally {
    await db.destroy();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const backend of BACKENDS) {
  describe(`query plans [${backend.name}]`, () => {
    it('finds a user by userPrincipalName through the UPN index, in get, in $filter and in uniqueness checks', async () => {
      const dir = backend.name === 'sqlite' ? mkdtempSync(join(tmpdir(), 'cloudsync-plan-')) : undefined;
      const url = backend.name === 'postgres' ? await createTestDatabase() : undefined;
      const store = await openStore(url !== undefined ? { databaseUrl: url } : { dataDir: dir! }); // migrates
      const captured: CompiledQuery[] = [];
      const log = (event: LogEvent) => {
        if (event.level === 'query') captured.push(event.query);
      };
      // A second connection to the same database, logging the SQL the directory sends.
      const db =
        url === undefined
          ? new Kysely<DirectoryDatabase>({
              dialect: new SqliteDialect({ database: adaptNodeSqlite(openNodeSqlite(join(dir!, SQLITE_FILE_NAME), { busyTimeoutMs: 5000 })) }),
              log,
            })
          : new Kysely<DirectoryDatabase>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }), log });
      try {
        const directory = createCloudDirectory({ db, dialect: store.dialect });
        const { tenantId } = await directory.createTenant({ name: `plan${backend.name}` });
        const domain = `plan${backend.name}.onmicrosoft.example`;
        // Enough rows that a scan and a probe differ; on PostgreSQL the bulk load also refreshes statistics.
        await directory.createMany(tenantId, 'user', Array.from({ length: 3000 }, (_, i) => ({ userPrincipalName: `u${i}@${domain}`, displayName: `U${i}` })));
        captured.length = 0;
        await directory.list(tenantId, 'user', { top: 10, filter: { kind: 'comparison', operator: 'eq', property: 'userPrincipalName', value: `U17@${domain}` } });
        await directory.get(tenantId, 'user', `u18@${domain}`);
        // The uniqueness check's lookup: on SQLite it runs only once the unique index has refused the insert.
        await assert.rejects(directory.create(tenantId, 'user', { userPrincipalName: `u5@${domain}` }), { code: 'ERR_DIR_UPN_CONFLICT' });
        const upnQueries = captured.filter((q) => q.sql.includes('upn_key') && !/^\s*(insert|update)/i.test(q.sql));
        assert.equal(upnQueries.length, 3);
        for (const query of upnQueries) {
          const explain = CompiledQuery.raw(`${store.dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN'} ${query.sql}`, [...query.parameters]);
          const result = await db.executeQuery<Record<string, unknown>>(explain);
          const plan = result.rows.map((row) => String(row['detail'] ?? row['QUERY PLAN'])).join('\n');
          assert.match(plan, /ux_directory_objects_upn/, `expected a UPN index probe for\n${query.sql}\nplan:\n${plan}`);
        }
      } finally {
        await db.destroy();
        await store.close();
        if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      }
    });

    // SQLite runs the recursive step once per row of the closure; a join order that reads all of the tenant's
    // memberships there made one transitiveMembers page over 200 nested groups and 3,000 users take 8.5 s (and
    // 2,000 groups and 20,000 users 544 s), on the event loop. Each step must probe by the row it expands.
    it('walks transitive memberships by index probes only', { skip: backend.name !== 'sqlite' }, () =>
      withLoggingSqliteDirectory(async ({ directory, db, captured }) => {
        const { tenantId } = await directory.createTenant({ name: 'plantransitive' });
        const groups = await directory.createMany(tenantId, 'group', Array.from({ length: 20 }, (_, i) => ({ displayName: `G${i}` })));
        const users = await directory.createMany(tenantId, 'user', Array.from({ length: 200 }, (_, i) => ({ userPrincipalName: `u${i}@plantransitive.onmicrosoft.example` })));
        for (let i = 1; i < groups.length; i++) await directory.addMember(tenantId, groups[i - 1]!.id, groups[i]!.id);
        for (const user of users) await directory.addMember(tenantId, groups.at(-1)!.id, user.id);
        captured.length = 0;
        await directory.listTransitiveMembers(tenantId, groups[0]!.id, { top: 10 });
        await directory.listTransitiveMemberOf(tenantId, users[0]!.id, { top: 10 });
        const walks = captured.filter((q) => /RECURSIVE/i.test(q.sql));
        assert.equal(walks.length, 2);
        for (const query of walks) {
          const result = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]));
          const plan = result.rows.map((row) => String(row['detail'])).join('\n');
          // The quadratic plan read `SEARCH m USING COVERING INDEX ix_memberships_member (tenant_id=?)`: every
          // membership of the tenant, for every row of the closure.
          assert.doesNotMatch(plan, /^SCAN (m|g)\b|^SEARCH (m|g) .*\(tenant_id=\?\)$/m, `expected index probes only for\n${query.sql}\nplan:\n${plan}`);
        }
      }));

    // Compaction finds a tenant's expired changes by walking its log from the start on the primary key (there is
    // no index on changed_at alone, migration 0014): a scan of the table, or of a tenant's whole log by time, would
    // read every change of every tenant on each retention pass.
    it('compacts the change log on the primary key, reading from the start of each tenant\'s log', { skip: backend.name !== 'sqlite' }, () =>
      withLoggingSqliteDirectory(async ({ directory, db, captured }) => {
        const { tenantId } = await directory.createTenant({ name: 'plancompaction' });
        await directory.createMany(tenantId, 'user', Array.from({ length: 300 }, (_, i) => ({ userPrincipalName: `u${i}@plancompaction.onmicrosoft.example` })));
        captured.length = 0;
        await directory.purgeExpired(new Date(Date.now() + 400 * 86_400_000));
        const reads = captured.filter((q) => /from "changes"/i.test(q.sql) && /^\s*select/i.test(q.sql));
        assert.ok(reads.length >= 2, `compaction read the change log ${reads.length} times`);
        for (const query of reads) {
          const result = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]));
          const plan = result.rows.map((row) => String(row['detail'])).join('\n');
          assert.match(plan, /^SEARCH changes USING PRIMARY KEY \(tenant_id=\?/m, `expected a walk of the primary key for\n${query.sql}\nplan:\n${plan}`);
          assert.doesNotMatch(plan, /TEMP B-TREE|^SCAN/m, `expected no sort and no scan for\n${query.sql}\nplan:\n${plan}`);
        }
        const floor = await db.selectFrom('tenants').select('change_floor').where('id', '=', tenantId).executeTakeFirstOrThrow();
        assert.ok(Number(floor.change_floor) >= 300, 'the creations were compacted');
      }));
  });
}

stopHarnessAfterAll();
