/**
 * The manager relationship (Graph's user.manager / directReports navigation properties): one row per user that has
 * a manager. A table of its own, like memberships, so that setting a manager never rewrites the user's row and
 * directReports is one index range.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('managers')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('manager_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('managers_pk', ['tenant_id', 'user_id'])
    .execute();
  await db.schema.createIndex('ix_managers_manager').on('managers').columns(['tenant_id', 'manager_id', 'user_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('managers').execute();
}
