/**
 * The connector space's secondary indexes become partial: most entries are not pending references, not escrowed,
 * and (on generic LDAP) have no objectGUID, yet every insert of a 200,000-object full sync paid for a b-tree entry
 * in each of those indexes. Each index now holds only the rows its query looks for; the queries name the same
 * condition (with a literal, not a bound parameter, so that SQLite's planner and PostgreSQL's generic plans can
 * prove the index applies).
 *
 * Also the time of the last deletion reconciliation (an anchor listing) of sources whose deltas do not report
 * deletions: it runs at the reconciliation interval instead of every delta cycle.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ix_connector_space_guid').execute();
  await db.schema.dropIndex('ix_connector_space_cloud_id').execute();
  await db.schema.dropIndex('ix_connector_space_retry').execute();
  await db.schema.dropIndex('ix_connector_space_refs_pending').execute();
  await db.schema.createIndex('ix_connector_space_guid').on('connector_space_objects').columns(['configuration_id', 'object_guid'])
    .where(sql.ref('object_guid'), 'is not', null).execute();
  await db.schema.createIndex('ix_connector_space_cloud_id').on('connector_space_objects').columns(['configuration_id', 'cloud_id'])
    .where(sql.ref('cloud_id'), 'is not', null).execute();
  await db.schema.createIndex('ix_connector_space_retry').on('connector_space_objects').columns(['configuration_id', 'next_retry_at', 'anchor'])
    .where(sql.ref('next_retry_at'), 'is not', null).execute();
  await db.schema.createIndex('ix_connector_space_refs_pending').on('connector_space_objects').columns(['configuration_id', 'anchor'])
    .where(sql<boolean>`refs_pending = 1`).execute();
  await db.schema.alterTable('connector_space_state').addColumn('reconciled_at', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('connector_space_state').dropColumn('reconciled_at').execute();
  for (const name of ['ix_connector_space_guid', 'ix_connector_space_cloud_id', 'ix_connector_space_retry', 'ix_connector_space_refs_pending']) {
    await db.schema.dropIndex(name).execute();
  }
  await db.schema.createIndex('ix_connector_space_guid').on('connector_space_objects').columns(['configuration_id', 'object_guid']).execute();
  await db.schema.createIndex('ix_connector_space_cloud_id').on('connector_space_objects').columns(['configuration_id', 'cloud_id']).execute();
  await db.schema.createIndex('ix_connector_space_retry').on('connector_space_objects').columns(['configuration_id', 'next_retry_at']).execute();
  await db.schema.createIndex('ix_connector_space_refs_pending').on('connector_space_objects').columns(['configuration_id', 'refs_pending']).execute();
}
