/**
 * The on-premises agent: registers once with a one-time token, then polls the service for work and runs it against
 * the local directory, until stopped. It opens no port.
 *
 * - Identity: an Ed25519 key pair generated here at registration; every call is authenticated by an assertion
 *   signed with it (src/agent-channel/agent-assertion.ts).
 * - Heartbeat: the poll itself. The service holds a poll up to a few seconds when there is no work; the agent polls
 *   again at once, so the service hears from it continuously while it runs operations in parallel.
 * - Reconnect: any failure to reach the service (down, restarting, network) is retried with exponential backoff and
 *   full jitter, forever. A refusal is not retried blindly: revoked → the agent stops (exit 1, it must register again
 *   with a new token); disabled → it keeps asking at the backoff's ceiling until enabled again.
 * - Resume: nothing about a cycle is kept here. The service restarts the operations it still needs (from its own
 *   watermarks) after a restart of either side.
 * - AD credentials are used by the local connector only: nothing sent to the service contains them.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { CloudsyncError } from '../errors/index.ts';
import type { EngineSource } from '../engine/index.ts';
import type { OperationAssignment, OperationMessage, PollAnswer, PollRequest, RegistrationAnswer } from '../agent-channel/channel-protocol.ts';
import { AgentAssertionSigner, generateAgentKeyPair } from '../agent-channel/agent-assertion.ts';
import { hashRegistrationToken } from '../agents/agent-store.ts';
import { prepareStateDirectory, readAgentState, sameRegistrationToken, writeAgentState, type AgentState } from './agent-state.ts';
import { ServiceClient, type ServiceAnswer } from './service-client.ts';
import { pause, ReconnectBackoff } from './reconnect-backoff.ts';
import { runOperation } from './operation-runner.ts';
import { ChangeWatch } from './change-watch.ts';

export interface AgentDomain {
  readonly domain: string;
  readonly netBiosName?: string;
  readonly source: EngineSource;
}

export interface AgentRuntimeOptions {
  readonly service: ServiceClient;
  readonly stateDir: string;
  readonly registrationToken?: string;
  readonly domains: readonly AgentDomain[];
  readonly version: string;
  readonly machineName?: string;
  readonly logger: Logger;
  /** How often the agent looks for changes to push (ms); 0 = never (only scheduled cycles). */
  readonly watchIntervalMs?: number;
}

/** Longest the agent waits for one answer; the service holds a poll for at most a few seconds. */
const POLL_TIMEOUT_MS = 30_000;
/** An operation message is answered once the service consumed it: an engine applying a large batch can take long. */
const MESSAGE_TIMEOUT_MS = 10 * 60_000;

export class AgentRuntime {
  readonly #options: AgentRuntimeOptions;
  readonly #running = new Set<Promise<unknown>>();

  constructor(options: AgentRuntimeOptions) {
    if (options.domains.length === 0) throw new TypeError('an agent serves at least one domain');
    this.#options = options;
  }

  /** Registers if needed and returns the identity in use. */
  async identity(): Promise<AgentState> {
    const { stateDir, registrationToken, service, logger } = this.#options;
    await prepareStateDirectory(stateDir);
    const existing = await readAgentState(stateDir);
    if (existing !== undefined && (registrationToken === undefined || sameRegistrationToken(existing, registrationToken))) {
      if (existing.service !== service.origin) {
        throw new CloudsyncError('ERR_AGENT_STATE', `the agent in ${stateDir} is registered with ${existing.service}, not ${service.origin}; register with a new token from that service (--registration-token)`, { path: '--service' });
      }
      return existing;
    }
    if (registrationToken === undefined) {
      throw new CloudsyncError('ERR_CLI_USAGE', `no agent is registered in ${stateDir}; give --registration-token (create one with cloudsync agent token create)`, { path: '--registration-token' });
    }
    const keys = await generateAgentKeyPair();
    const backoff = new ReconnectBackoff();
    for (;;) {
      let answer: ServiceAnswer;
      try {
        answer = await service.post('/registrations', { registrationToken, publicKey: keys.publicJwk, machineName: this.#machineName(), version: this.#options.version }, { timeoutMs: POLL_TIMEOUT_MS });
      } catch (error) {
        const wait = backoff.next();
        logger.warn({ reason: (error as Error).message, retryInMs: wait }, 'cannot reach the service to register; retrying');
        await pause(wait);
        continue;
      }
      if (answer.kind === 'refused') throw new CloudsyncError('ERR_AGENT_REGISTRATION_TOKEN_INVALID', `the service refused the registration: ${answer.message}`);
      const registered = answer.body as RegistrationAnswer;
      const state: AgentState = {
        service: service.origin,
        agentId: registered.agentId,
        tenantId: registered.tenantId,
        registrationTokenHash: hashRegistrationToken(registrationToken),
        publicKey: keys.publicJwk,
        privateKey: keys.privateJwk,
        registeredDateTime: new Date().toISOString(),
      };
      await writeAgentState(stateDir, state);
      logger.info({ agentId: state.agentId, tenantId: state.tenantId }, 'agent registered');
      return state;
    }
  }

  #machineName(): string {
    return this.#options.machineName ?? hostname();
  }

  /** Runs until `signal` aborts (resolves) or the agent is revoked (rejects with ERR_AGENT_REVOKED). */
  async run(signal: AbortSignal): Promise<void> {
    const { service, logger, domains } = this.#options;
    const state = await this.identity();
    const signer = new AgentAssertionSigner(state.agentId, state.privateKey);
    const sources = new Map(domains.map((served) => [served.domain.toLowerCase(), served.source]));
    const poll: PollRequest = {
      machineName: this.#machineName(),
      version: this.#options.version,
      domains: domains.map((served) => ({ domain: served.domain.toLowerCase(), ...(served.netBiosName === undefined ? {} : { netBiosName: served.netBiosName }), capabilities: served.source.capabilities })),
    };
    const transport = {
      send: async (operationId: string, message: OperationMessage, operationSignal: AbortSignal) =>
        service.post(`/operations/${encodeURIComponent(operationId)}`, message, { assertion: await signer.assertion(), timeoutMs: MESSAGE_TIMEOUT_MS, signal: operationSignal }),
    };
    const watches = new Map<string, ChangeWatch>();
    if ((this.#options.watchIntervalMs ?? 0) > 0) {
      for (const served of poll.domains) {
        watches.set(served.domain, new ChangeWatch({
          domain: served.domain,
          source: sources.get(served.domain)!,
          intervalMs: this.#options.watchIntervalMs!,
          warn: (fields, message) => logger.warn(fields, message),
          report: async (domain) => {
            const answer = await service.post('/changes', { domains: [domain] }, { assertion: await signer.assertion(), timeoutMs: POLL_TIMEOUT_MS, signal });
            logger.info({ domain, ...(answer.kind === 'ok' ? { started: (answer.body as { started: number }).started } : { refused: answer.message }) }, 'changes seen in the directory; the service was told');
          },
        }));
      }
    }
    for (const watch of watches.values()) this.#running.add(watch.run(signal));
    const backoff = new ReconnectBackoff();
    let connected = false;
    logger.info({ agentId: state.agentId, service: service.origin, domains: poll.domains.map((d) => d.domain) }, 'agent starting');
    try {
      while (!signal.aborted) {
        let answer: ServiceAnswer;
        try {
          answer = await service.post('/poll', poll, { assertion: await signer.assertion(), timeoutMs: POLL_TIMEOUT_MS, signal });
        } catch (error) {
          if (signal.aborted) break;
          const wait = backoff.next();
          if (connected || backoff.failures === 1) logger.warn({ reason: (error as Error).message, retryInMs: wait }, 'service unreachable; reconnecting');
          connected = false;
          await pause(wait, signal);
          continue;
        }
        if (answer.kind === 'refused') {
          if (answer.code === 'AgentRevoked') throw new CloudsyncError('ERR_AGENT_REVOKED', `${answer.message} (remove ${this.#options.stateDir}/agent.json or give a new --registration-token)`);
          const wait = answer.code === 'AgentDisabled' ? 10_000 : backoff.next();
          logger.warn({ status: answer.status, code: answer.code, reason: answer.message, retryInMs: wait }, 'the service refused this agent');
          connected = false;
          await pause(wait, signal);
          continue;
        }
        if (!connected) logger.info({ agentId: state.agentId, service: service.origin }, 'connected to the service');
        connected = true;
        backoff.reset();
        const { operations, pollAfterMs } = answer.body as PollAnswer;
        for (const assignment of operations) this.#start(assignment, sources, transport, signal, watches.get(assignment.domain.toLowerCase()));
        if (pollAfterMs > 0) await pause(pollAfterMs, signal);
      }
    } finally {
      await Promise.allSettled([...this.#running]);
    }
  }

  #start(assignment: OperationAssignment, sources: ReadonlyMap<string, EngineSource>, transport: Parameters<typeof runOperation>[2], signal: AbortSignal, watch: ChangeWatch | undefined): void {
    const { logger } = this.#options;
    const source = sources.get(assignment.domain.toLowerCase());
    const log = (level: 'info' | 'warn', fields: Record<string, unknown>, message: string): void => logger[level](fields, message);
    const started = Date.now();
    logger.info({ operationId: assignment.id, kind: assignment.kind, domain: assignment.domain, lease: assignment.lease }, 'operation started');
    const running = (source === undefined
      ? transport.send(assignment.id, { lease: assignment.lease, seq: 0, type: 'error', code: 'ERR_AGENT_UNAVAILABLE', message: `this agent does not serve ${assignment.domain}` }, signal).then(() => 'failed' as const)
      : (watch?.busy(1), runOperation(assignment, source, transport, signal, log, (watermark) => watch?.observe(watermark)).finally(() => watch?.busy(-1))))
      .then((outcome) => {
        const level = outcome === 'completed' ? 'debug' : 'info';
        logger[level]({ operationId: assignment.id, kind: assignment.kind, domain: assignment.domain, outcome, ms: Date.now() - started }, 'operation finished');
      })
      .catch((error: unknown) => logger.warn({ operationId: assignment.id, err: error }, 'operation failed'))
      .finally(() => this.#running.delete(running));
    this.#running.add(running);
  }
}
