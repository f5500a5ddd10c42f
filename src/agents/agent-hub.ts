/**
 * The service's view of the connected agents: who is online for which (tenant, domain), the operations leased to
 * each, and the long-polls waiting for work.
 *
 * - An agent is active while it polled within `inactiveAfterMs` (Entra shows an agent Inactive when it stops
 *   reporting). A poll is the heartbeat: the agent polls again as soon as one returns, so a live agent is heard from
 *   at least every `pollWaitMs`.
 * - A domain's runs stick to one agent (its primary) while it stays active; when it goes silent the next operation
 *   goes to another active agent of the same tenant and domain. Each operation is leased to exactly one agent.
 * - Presence is held in this process (one service node); the agent records (status, last seen) are in the store.
 */
import { randomUUID } from 'node:crypto';
import { CloudsyncError } from '../errors/index.ts';
import type { OperationAssignment, OperationKind, OperationParameters, ServedDomain } from '../agent-channel/channel-protocol.ts';
import { RemoteOperation } from './remote-operation.ts';

export interface AgentHubOptions {
  /** Silence after which an agent is inactive and its runs move (ms). */
  readonly inactiveAfterMs: number;
  /** Longest a poll is held when there is no work (ms). */
  readonly pollWaitMs: number;
  readonly now?: () => number;
}

interface Presence {
  readonly agentId: string;
  readonly tenantId: string;
  domains: ReadonlyMap<string, ServedDomain>;
  lastSeen: number;
  readonly outbox: OperationAssignment[];
  wake: (() => void) | undefined;
}

const keyOf = (tenantId: string, domain: string): string => `${tenantId}\u0000${domain.toLowerCase()}`;

export class AgentHub {
  readonly #options: AgentHubOptions;
  readonly #now: () => number;
  readonly #presence = new Map<string, Presence>();
  readonly #operations = new Map<string, RemoteOperation>();
  readonly #primary = new Map<string, string>();
  readonly #startedAt: number;
  #leases = 0;
  #closed = false;

  constructor(options: AgentHubOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
  }

  get inactiveAfterMs(): number {
    return this.#options.inactiveAfterMs;
  }

  isActive(agentId: string): boolean {
    const presence = this.#presence.get(agentId);
    return presence !== undefined && this.#now() - presence.lastSeen < this.#options.inactiveAfterMs;
  }

  /**
   * What is left of the first silence window after the service started (ms): agents that were connected before a
   * restart are still reconnecting (with backoff) during it, so "no agent" is not yet true.
   */
  startupGraceRemainingMs(): number {
    return Math.max(0, this.#startedAt + this.#options.inactiveAfterMs - this.#now());
  }

  /** Forgets an agent at once (disabled or revoked): its operations move at the consumer's next check. */
  disconnect(agentId: string): void {
    const presence = this.#presence.get(agentId);
    if (presence === undefined) return;
    this.#presence.delete(agentId);
    presence.wake?.();
    for (const operation of this.#operations.values()) {
      if (operation.holder === agentId) operation.close(new CloudsyncError('ERR_AGENT_LEASE_LOST', `agent ${agentId} was disabled or revoked`));
    }
  }

  /** The service is stopping: held polls are answered now (empty), so closing the HTTP server does not wait for them. */
  close(): void {
    this.#closed = true;
    for (const presence of this.#presence.values()) presence.wake?.();
  }

  /** Any message from an agent proves it alive. */
  touch(agentId: string): void {
    const presence = this.#presence.get(agentId);
    if (presence !== undefined) presence.lastSeen = this.#now();
  }

  /**
   * A poll: records presence and what the agent serves, then answers with its pending assignments, at once if any,
   * else when one arrives, `pollWaitMs` passes or `signal` aborts (the connection closed).
   */
  async poll(agentId: string, tenantId: string, domains: readonly ServedDomain[], signal: AbortSignal): Promise<readonly OperationAssignment[]> {
    let presence = this.#presence.get(agentId);
    if (presence === undefined) {
      presence = { agentId, tenantId, domains: new Map(), lastSeen: this.#now(), outbox: [], wake: undefined };
      this.#presence.set(agentId, presence);
    }
    presence.domains = new Map(domains.map((served) => [served.domain.toLowerCase(), served]));
    presence.lastSeen = this.#now();
    presence.wake?.();
    if (presence.outbox.length === 0 && !this.#closed) {
      const current = presence;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          if (current.wake === done) current.wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, this.#options.pollWaitMs);
        signal.addEventListener('abort', done, { once: true });
        current.wake = done;
      });
      // A poll that outlived the connection must not swallow work: what it would have carried stays queued.
      if (signal.aborted) return [];
    }
    presence.lastSeen = this.#now();
    return presence.outbox.splice(0);
  }

  /** The active agents serving a tenant's domain, primary first. */
  activeAgentsFor(tenantId: string, domain: string): readonly { readonly agentId: string; readonly served: ServedDomain }[] {
    const key = keyOf(tenantId, domain);
    const found: { agentId: string; served: ServedDomain; lastSeen: number }[] = [];
    for (const presence of this.#presence.values()) {
      const served = presence.tenantId === tenantId ? presence.domains.get(domain.toLowerCase()) : undefined;
      if (served !== undefined && this.isActive(presence.agentId)) found.push({ agentId: presence.agentId, served, lastSeen: presence.lastSeen });
    }
    const primary = this.#primary.get(key);
    return found.sort((a, b) => (a.agentId === primary ? -1 : b.agentId === primary ? 1 : a.agentId.localeCompare(b.agentId)));
  }

  /** Waits until an agent of the domain is active, at most `timeoutMs`; undefined when none came. */
  async waitForAgent(tenantId: string, domain: string, timeoutMs: number, signal?: AbortSignal): Promise<ServedDomain | undefined> {
    const deadline = this.#now() + timeoutMs;
    for (;;) {
      const [first] = this.activeAgentsFor(tenantId, domain);
      if (first !== undefined) return first.served;
      if (this.#now() >= deadline || signal?.aborted === true) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /**
   * Leases a new operation to the domain's primary agent (or, when it is silent, the next active one), waiting up
   * to one silence window for an agent to appear. ERR_AGENT_UNAVAILABLE when none does.
   */
  async start<K extends OperationKind>(tenantId: string, domain: string, kind: K, parameters: OperationParameters[K], signal?: AbortSignal): Promise<RemoteOperation<K>> {
    const served = await this.waitForAgent(tenantId, domain, this.#options.inactiveAfterMs, signal);
    signal?.throwIfAborted();
    const [chosen] = this.activeAgentsFor(tenantId, domain);
    if (served === undefined || chosen === undefined) {
      throw new CloudsyncError('ERR_AGENT_UNAVAILABLE', `no provisioning agent serving ${domain} is active (none polled in the last ${Math.round(this.#options.inactiveAfterMs / 1000)} s)`);
    }
    this.#primary.set(keyOf(tenantId, domain), chosen.agentId);
    const operation = new RemoteOperation({ id: randomUUID(), tenantId, domain, kind, parameters, holder: chosen.agentId, lease: ++this.#leases });
    this.#operations.set(operation.id, operation);
    const presence = this.#presence.get(chosen.agentId)!;
    presence.outbox.push(operation.assignment());
    presence.wake?.();
    return operation;
  }

  /** Ends an operation: later messages for it are refused (the fence against an agent that comes back). */
  finish(operation: RemoteOperation, reason?: CloudsyncError): void {
    operation.close(reason);
    this.#operations.delete(operation.id);
    const presence = this.#presence.get(operation.holder);
    if (presence !== undefined) {
      const index = presence.outbox.findIndex((queued) => queued.id === operation.id);
      if (index >= 0) presence.outbox.splice(index, 1);
    }
  }

  operation(id: string): RemoteOperation | undefined {
    return this.#operations.get(id);
  }
}
