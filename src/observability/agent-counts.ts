/**
 * Provisioning agents by state for `cloudsync_agents`, counted at each scrape: the embedded agents of this process
 * are active; a registered on-premises agent (migration 0005, not revoked) is active when it is enabled and this
 * process's agent hub has heard from it within the silence window, else inactive — what
 * `GET …/onPremisesPublishingProfiles/provisioning/agents` shows per tenant, summed over tenants.
 */
import type { Kysely } from 'kysely';
import type { AgentState } from './service-metrics.ts';

export function agentCounter(
  store: { readonly db: Kysely<any> },
  isActive: (agentId: string) => boolean,
  embedded: number,
): () => Promise<Readonly<Record<AgentState, number>>> {
  return async () => {
    const rows = (await store.db.selectFrom('agents').select(['id', 'is_enabled']).where('revoked_at', 'is', null).execute()) as { id: string; is_enabled: number }[];
    const active = rows.filter((row) => row.is_enabled === 1 && isActive(row.id)).length;
    return { active: embedded + active, inactive: rows.length - active };
  };
}
