/**
 * Reference values kept on the connector-space entry (`ConnectorSpaceEntry.inlineReferences`, src/engine): the DNs
 * of a Direct reference mapping (manager; a small group's members) as imported, so that reference resolution does not
 * read each object back from the source. JSON text; NULL means "read the source", which is also what every entry
 * written before this migration gets.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('connector_space_objects').addColumn('inline_references', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('connector_space_objects').dropColumn('inline_references').execute();
}
