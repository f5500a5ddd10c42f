/**
 * On-premises provisioning agents (types in src/agents/agent-tables.ts): the one-time registration tokens an admin
 * creates, and the agents that redeemed one.
 *
 * - A token is stored only as its SHA-256 hash: the database never holds a usable token. `used_at` is set by the
 *   single UPDATE that redeems it (`WHERE used_at IS NULL AND expires_at > now`), so two agents racing with one
 *   token cannot both register.
 * - An agent keeps only its public key (JWK); the private key never leaves the agent's state directory.
 * - Agent ids are UUIDs, unique across tenants: an agent's signed assertion names its id, and the tenant follows.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('agent_registration_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('agent_id', 'text')
    .execute();

  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('machine_name', 'text', (c) => c.notNull())
    .addColumn('external_ip', 'text')
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('domains', 'text', (c) => c.notNull())
    .addColumn('is_enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('revoked_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text')
    .execute();
  await db.schema.createIndex('ix_agents_tenant').on('agents').columns(['tenant_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('agents').execute();
  await db.schema.dropTable('agent_registration_tokens').execute();
}
