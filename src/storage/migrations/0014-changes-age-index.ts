/**
 * Drops `ix_changes_changed_at` (changed_at alone). Every change a synchronization records paid for it, and it
 * served only the compaction pass, which now finds a tenant's expired changes by walking its log from the start
 * on the primary key (tenant_id, seq) — see #compactChanges in src/directory/sql-cloud-directory.ts. The indexes
 * delta rounds use (ix_changes_type, ix_changes_object) stay.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ix_changes_changed_at').ifExists().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('ix_changes_changed_at').on('changes').column('changed_at').execute();
}
