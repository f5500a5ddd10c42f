/**
 * Managing on-premises provisioning agents, under Graph's onPremisesPublishingProfiles/provisioning:
 *
 *   POST  /onPremisesPublishingProfiles/provisioning/agentRegistrationTokens   → 201 {token, expiresDateTime}
 *   GET   /onPremisesPublishingProfiles/provisioning/agents                     → {value: [onPremisesAgent]}
 *   GET   /onPremisesPublishingProfiles/provisioning/agents/{id}
 *   PATCH /onPremisesPublishingProfiles/provisioning/agents/{id}  {"isEnabled": false|true}   → 200 onPremisesAgent
 *   POST  /onPremisesPublishingProfiles/provisioning/agents/{id}/revoke                       → 204
 *
 * Graph's onPremisesAgent: "id, externalIp, machineName, status (agentStatus: active, inactive),
 * supportedPublishingTypes". We add what an operator of Cloud Sync's Agents blade sees: the domains the agent
 * serves, its version, when it was last heard from, whether it is enabled, and when it was revoked. An agent is
 * active while it polled within the silence window (30 s by default) and is enabled and not revoked.
 *
 * The token is shown once, here; the store keeps only its hash. Open to Synchronization.ReadWrite.All (Entra asks
 * for a Hybrid Identity Administrator to register an agent).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CloudsyncError } from '../../errors/index.ts';
import type { AgentHub } from '../../agents/agent-hub.ts';
import type { AgentRecord, AgentStore } from '../../agents/agent-store.ts';
import type { KeyPair } from '../auth/access-token.ts';
import { createAuthenticate, principalOf } from '../auth/authenticate.ts';
import { baseUrlOf } from '../base-url.ts';
import { parseJsonBody, requireObjectBody } from '../json-body.ts';

export const AGENT_STATUSES = ['active', 'inactive'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export interface AgentRouteOptions {
  readonly agents: AgentStore;
  readonly hub: AgentHub;
  readonly registrationTokenLifetimeSeconds: number;
  readonly key: () => Promise<KeyPair>;
  readonly clock: () => Date;
  readonly publicUrl: string | undefined;
}

export const PROVISIONING_PATH = '/onPremisesPublishingProfiles/provisioning';

type AgentParams = { Params: { id: string } };

export function agentStatusOf(agent: AgentRecord, now: Date, inactiveAfterMs: number): AgentStatus {
  if (!agent.isEnabled || agent.revokedAt !== null || agent.lastSeenAt === null) return 'inactive';
  return now.getTime() - Date.parse(agent.lastSeenAt) < inactiveAfterMs ? 'active' : 'inactive';
}

export function onPremisesAgentOf(agent: AgentRecord, now: Date, inactiveAfterMs: number): Record<string, unknown> {
  return {
    id: agent.id,
    machineName: agent.machineName,
    externalIp: agent.externalIp,
    status: agentStatusOf(agent, now, inactiveAfterMs),
    supportedPublishingTypes: ['provisioning'],
    domains: agent.domains,
    version: agent.version,
    lastSeenDateTime: agent.lastSeenAt,
    createdDateTime: agent.createdAt,
    isEnabled: agent.isEnabled,
    revokedDateTime: agent.revokedAt,
  };
}

export async function agentRoutes(app: FastifyInstance, options: AgentRouteOptions): Promise<void> {
  const { agents, hub } = options;
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, (body as string).trim() === '' ? {} : parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addHook('onRequest', createAuthenticate(options));
  const sync = { config: { access: 'synchronization' as const } };
  const tenant = (request: FastifyRequest): string => principalOf(request).tenantId;
  const context = (request: FastifyRequest, fragment: string): string => `${baseUrlOf(request, options.publicUrl)}/v1.0/$metadata#${fragment}`;
  const shape = (agent: AgentRecord): Record<string, unknown> => onPremisesAgentOf(agent, options.clock(), hub.inactiveAfterMs);

  app.post(`${PROVISIONING_PATH}/agentRegistrationTokens`, sync, async function createRegistrationToken(request, reply) {
    const body = request.body === undefined || request.body === null ? {} : requireObjectBody(request.body);
    for (const key of Object.keys(body)) {
      if (!key.startsWith('@odata.')) throw new CloudsyncError('ERR_HTTP_BAD_REQUEST', `'${key}' cannot be set on a registration token; send an empty body`, { path: key });
    }
    const created = await agents.createRegistrationToken(tenant(request), options.registrationTokenLifetimeSeconds);
    return reply.code(201).header('cache-control', 'no-store').send(created);
  });

  app.get(`${PROVISIONING_PATH}/agents`, sync, async function listAgents(request) {
    return { '@odata.context': context(request, 'onPremisesPublishingProfiles(\'provisioning\')/agents'), value: (await agents.list(tenant(request))).map(shape) };
  });

  app.get<AgentParams>(`${PROVISIONING_PATH}/agents/:id`, sync, async function getAgent(request) {
    return { '@odata.context': context(request, 'onPremisesPublishingProfiles(\'provisioning\')/agents/$entity'), ...shape(await agents.getInTenant(tenant(request), request.params.id)) };
  });

  app.patch<AgentParams>(`${PROVISIONING_PATH}/agents/:id`, sync, async function updateAgent(request) {
    const body = requireObjectBody(request.body);
    for (const key of Object.keys(body)) {
      if (key !== 'isEnabled' && !key.startsWith('@odata.')) throw new CloudsyncError('ERR_HTTP_BAD_REQUEST', `'${key}' cannot be changed on an agent; allowed: isEnabled`, { path: key });
    }
    if (typeof body['isEnabled'] !== 'boolean') throw new CloudsyncError('ERR_HTTP_BAD_REQUEST', 'isEnabled: expected true or false', { path: 'isEnabled' });
    const updated = await agents.setEnabled(tenant(request), request.params.id, body['isEnabled']);
    if (!updated.isEnabled) hub.disconnect(updated.id);
    return shape(updated);
  });

  app.post<AgentParams>(`${PROVISIONING_PATH}/agents/:id/revoke`, sync, async function revokeAgent(request, reply) {
    await agents.revoke(tenant(request), request.params.id);
    hub.disconnect(request.params.id);
    request.log.info({ agentId: request.params.id }, 'agent revoked: it is refused from now on');
    return reply.code(204).send();
  });
}
