/**
 * Every cycle starts by loading the configuration's containers (OUs, for scoping by ancestor GUID). Without an index
 * that was a scan of the whole connector space: ~80 ms of an otherwise idle delta cycle at 200,000 objects, whose
 * budget is 200 ms. A partial index holds only the container rows (and the query names `state = 'container'` as a
 * literal, so that SQLite's planner can prove the index applies).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('ix_connector_space_containers').on('connector_space_objects').columns(['configuration_id', 'anchor'])
    .where(sql<boolean>`state = 'container'`).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ix_connector_space_containers').execute();
}
