/**
 * Source connectors for the scheduler from the connected agents: a job's (tenant, domain) gets a
 * RemoteSourceConnector when an agent serving that domain is active. Right after the service started, agents that
 * were registered for the domain get one silence window to reconnect before the job is told there is no agent
 * (Entra's HybridIdentityServiceNoActiveAgents) — a restart of the service must not fail the cycles it owes.
 */
import type { EngineSource } from '../engine/index.ts';
import type { AgentHub } from './agent-hub.ts';
import type { AgentStore } from './agent-store.ts';
import { RemoteSourceConnector } from './remote-source-connector.ts';

export interface AgentSourceRegistry {
  connectorFor(domain: string, tenantId: string): Promise<{ readonly source: EngineSource; readonly netBiosName?: string } | undefined>;
}

export function agentSourceRegistry(
  hub: AgentHub,
  agents: AgentStore,
  onLeaseMoved?: (event: { readonly domain: string; readonly from: string; readonly reason: string }) => void,
): AgentSourceRegistry {
  return {
    async connectorFor(domain, tenantId) {
      let wait = hub.startupGraceRemainingMs();
      if (wait > 0) {
        const registered = (await agents.list(tenantId)).some((agent) => agent.isEnabled && agent.revokedAt === null && agent.domains.includes(domain.toLowerCase()));
        if (!registered) wait = 0;
      }
      const served = await hub.waitForAgent(tenantId, domain, wait);
      if (served === undefined) return undefined;
      return {
        source: new RemoteSourceConnector(hub, tenantId, domain.toLowerCase(), served.capabilities, onLeaseMoved),
        ...(served.netBiosName === undefined ? {} : { netBiosName: served.netBiosName }),
      };
    },
  };
}
