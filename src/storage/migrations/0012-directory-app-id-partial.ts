/**
 * Makes `ux_directory_objects_app_id` partial (`WHERE app_id IS NOT NULL`). Only applications have an app id, yet
 * the full index held one entry per directory object: every user a synchronization created paid a B-tree insert
 * for a NULL key. Uniqueness is unchanged — both SQLite and PostgreSQL let any number of NULLs into a unique
 * index, so the NULL entries never constrained anything — and nothing looks objects up by app_id through SQL.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ux_directory_objects_app_id').execute();
  await db.schema.createIndex('ux_directory_objects_app_id').unique().on('directory_objects').column('app_id').where(sql.ref('app_id'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ux_directory_objects_app_id').execute();
  await db.schema.createIndex('ux_directory_objects_app_id').unique().on('directory_objects').column('app_id').execute();
}
