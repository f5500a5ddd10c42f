/**
 * Registration tokens and agent records (migration 0005), on SQLite and PostgreSQL.
 *
 * Invariants:
 * - A registration token is returned once, at creation, and stored only as its SHA-256 hash. It is redeemed by one
 *   conditional UPDATE (unused and unexpired), so it registers at most one agent whatever the concurrency.
 * - A revoked agent stays listed (with revokedDateTime) and is refused forever; it registers again only with a new
 *   token, as a new agent with a new key.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { JWK } from 'jose';
import type { Store } from '../storage/index.ts';
import { CloudsyncError } from '../errors/index.ts';

interface AgentRegistrationTokensTable {
  token_hash: string;
  tenant_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  agent_id: string | null;
}

interface AgentsTable {
  id: string;
  tenant_id: string;
  machine_name: string;
  external_ip: string | null;
  /** The agent's Ed25519 public JWK, JSON. */
  public_key: string;
  version: string;
  /** JSON array of the lower-cased domains the agent announced last. */
  domains: string;
  is_enabled: number;
  revoked_at: string | null;
  created_at: string;
  last_seen_at: string | null;
}

interface AgentDatabase {
  agent_registration_tokens: AgentRegistrationTokensTable;
  agents: AgentsTable;
}

export interface AgentRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly machineName: string;
  readonly externalIp: string | null;
  readonly publicKey: JWK;
  readonly version: string;
  readonly domains: readonly string[];
  readonly isEnabled: boolean;
  readonly revokedAt: string | null;
  readonly createdAt: string;
  readonly lastSeenAt: string | null;
}

export interface RegistrationToken {
  /** The token itself: shown once, never stored. */
  readonly token: string;
  readonly expiresDateTime: string;
}

export function hashRegistrationToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function toRecord(row: AgentsTable): AgentRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    machineName: row.machine_name,
    externalIp: row.external_ip,
    publicKey: JSON.parse(row.public_key) as JWK,
    version: row.version,
    domains: JSON.parse(row.domains) as string[],
    isEnabled: row.is_enabled === 1,
    revokedAt: row.revoked_at,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
  };
}

export class AgentStore {
  readonly #db: Kysely<AgentDatabase>;
  readonly #clock: () => Date;

  constructor(store: Store, clock: () => Date = () => new Date()) {
    this.#db = store.db as unknown as Kysely<AgentDatabase>;
    this.#clock = clock;
  }

  async createRegistrationToken(tenantId: string, lifetimeSeconds: number): Promise<RegistrationToken> {
    const now = this.#clock();
    // 32 random bytes: guessing is hopeless, and the hash needs no salt (nothing low-entropy to protect).
    const token = randomBytes(32).toString('base64url');
    const expires = new Date(now.getTime() + lifetimeSeconds * 1000).toISOString();
    await this.#db
      .insertInto('agent_registration_tokens')
      .values({ token_hash: hashRegistrationToken(token), tenant_id: tenantId, created_at: now.toISOString(), expires_at: expires, used_at: null, agent_id: null })
      .execute();
    return { token, expiresDateTime: expires };
  }

  /** Redeems a token and records the new agent, in one transaction; a used, expired or unknown token is refused alike. */
  async register(input: { readonly registrationToken: string; readonly publicKey: JWK; readonly machineName: string; readonly version: string; readonly externalIp: string | null }): Promise<AgentRecord> {
    const now = this.#clock().toISOString();
    const hash = hashRegistrationToken(input.registrationToken);
    const id = randomUUID();
    return await this.#db.transaction().execute(async (trx) => {
      const redeemed = await trx
        .updateTable('agent_registration_tokens')
        .set({ used_at: now, agent_id: id })
        .where('token_hash', '=', hash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returning('tenant_id')
        .executeTakeFirst();
      if (redeemed === undefined) {
        throw new CloudsyncError('ERR_AGENT_REGISTRATION_TOKEN_INVALID', 'the registration token is unknown, expired or already used; create a new one (cloudsync agent token create)');
      }
      const row: AgentsTable = {
        id, tenant_id: redeemed.tenant_id, machine_name: input.machineName, external_ip: input.externalIp, public_key: JSON.stringify(input.publicKey),
        version: input.version, domains: '[]', is_enabled: 1, revoked_at: null, created_at: now, last_seen_at: now,
      };
      await trx.insertInto('agents').values(row).execute();
      return toRecord(row);
    });
  }

  async get(agentId: string): Promise<AgentRecord | undefined> {
    const row = await this.#db.selectFrom('agents').selectAll().where('id', '=', agentId).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async getInTenant(tenantId: string, agentId: string): Promise<AgentRecord> {
    const agent = await this.get(agentId);
    if (agent === undefined || agent.tenantId !== tenantId) throw new CloudsyncError('ERR_AGENT_NOT_FOUND', `no agent with the id '${agentId}'`, { path: 'id' });
    return agent;
  }

  async list(tenantId: string): Promise<readonly AgentRecord[]> {
    const rows = await this.#db.selectFrom('agents').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
    return rows.map(toRecord);
  }

  /** What an agent announced in its poll; called at most every few seconds per agent. */
  async recordSeen(agentId: string, seen: { readonly machineName: string; readonly version: string; readonly domains: readonly string[]; readonly externalIp: string | null }): Promise<void> {
    await this.#db
      .updateTable('agents')
      .set({ machine_name: seen.machineName, version: seen.version, domains: JSON.stringify(seen.domains), external_ip: seen.externalIp, last_seen_at: this.#clock().toISOString() })
      .where('id', '=', agentId)
      .execute();
  }

  async setEnabled(tenantId: string, agentId: string, enabled: boolean): Promise<AgentRecord> {
    const agent = await this.getInTenant(tenantId, agentId);
    if (agent.revokedAt !== null && enabled) throw new CloudsyncError('ERR_AGENT_REVOKED', `agent ${agentId} is revoked and cannot be enabled; register the machine again with a new token`);
    await this.#db.updateTable('agents').set({ is_enabled: enabled ? 1 : 0 }).where('id', '=', agentId).execute();
    return { ...agent, isEnabled: enabled };
  }

  async revoke(tenantId: string, agentId: string): Promise<void> {
    const agent = await this.getInTenant(tenantId, agentId);
    if (agent.revokedAt !== null) return;
    await this.#db.updateTable('agents').set({ revoked_at: this.#clock().toISOString(), is_enabled: 0 }).where('id', '=', agentId).execute();
  }
}
