/**
 * The service's end of the agent channel (protocol in src/agent-channel/channel-protocol.ts): registration with a
 * one-time token, the long-poll that is also the heartbeat, and operation messages. Not Graph routes: they are
 * authenticated by the agent's signed assertion, not by an access token, and live under /agent/v1.
 *
 * Everything an agent sends is untrusted: bodies may be gzip (`Content-Encoding: gzip`) and are inflated only up to
 * the message limit; envelopes, objects and batch sizes are checked before a cycle sees them. A refused message
 * is logged with its reason (never the assertion or the message's values) and, when it came from the agent
 * holding the operation, fails that operation: the cycle stops with the reason instead of applying half a batch.
 */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JWK } from 'jose';
import { CloudsyncError, isCloudsyncError } from '../../errors/index.ts';
import type { ServedDomain } from '../../agent-channel/channel-protocol.ts';
import { claimedAgentId, parseAgentPublicKey, verifyAgentAssertion } from '../../agent-channel/agent-assertion.ts';
import type { AgentHub } from '../../agents/agent-hub.ts';
import type { AgentRecord, AgentStore } from '../../agents/agent-store.ts';
import { parseOperationMessage } from '../../agents/operation-message.ts';
import type { ChangeTrigger } from '../../agents/change-trigger.ts';

const inflate = promisify(gunzip);

/** Largest registration, poll or change hint (bytes): a few domains' capabilities fit many times over. */
const CONTROL_BODY_LIMIT = 65_536;

export interface AgentChannelRouteOptions {
  readonly agents: AgentStore;
  readonly hub: AgentHub;
  /** Largest message, after decompression (bytes). */
  readonly messageLimit: number;
  readonly clock: () => Date;
  /** Asks for cycles now for a tenant's domain in which an agent saw changes (near real time). */
  readonly onChanges?: ChangeTrigger;
}

declare module 'fastify' {
  interface FastifyRequest {
    agent: AgentRecord | null;
  }
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const CAPABILITY_FLAGS = ['deltaImport', 'deltaReportsDeletions', 'deltaReportsRenames', 'incrementalValues', 'anchorListing'] as const;
const DEFAULT_ANCHORS = ['objectGUID', 'entryUUID', 'dn'] as const;
/** RFC 4512 §1.4 descr: keystring = leadkeychar *keychar (a letter, then letters, digits and hyphens). */
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;

function bad(path: string, message: string): CloudsyncError {
  return new CloudsyncError('ERR_AGENT_PROTOCOL', `${path}: ${message}`, { path });
}

function shortText(value: unknown, path: string, max = 255): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) throw bad(path, `expected a non-empty string of at most ${max} characters`);
  return value;
}

function objectOf(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(path, 'expected a JSON object');
  return value as Record<string, unknown>;
}

/** Forward attribute → back link, as SourceCapabilities.backLinks; a handful of attribute names, not a payload. */
function parseBackLinks(value: unknown, path: string): Readonly<Record<string, string>> {
  const links = objectOf(value, path);
  const entries = Object.entries(links);
  if (entries.length > 20) throw bad(path, 'expected at most 20 linked attributes');
  const parsed: Record<string, string> = {};
  for (const [forward, backLink] of entries) {
    if (!ATTRIBUTE_NAME.test(forward) || forward !== forward.toLowerCase()) throw bad(`${path}.${forward}`, 'expected a lower-case attribute name as key');
    if (typeof backLink !== 'string' || !ATTRIBUTE_NAME.test(backLink)) throw bad(`${path}.${forward}`, 'expected an attribute name');
    parsed[forward] = backLink;
  }
  return Object.freeze(parsed);
}

function parseServedDomains(value: unknown): ServedDomain[] {
  if (!Array.isArray(value) || value.length > 50) throw bad('domains', 'expected an array of at most 50 domains');
  return value.map((item, i) => {
    const served = objectOf(item, `domains[${i}]`);
    const domain = shortText(served['domain'], `domains[${i}].domain`).toLowerCase();
    if (!DOMAIN.test(domain)) throw bad(`domains[${i}].domain`, 'not a DNS domain name');
    const capabilities = objectOf(served['capabilities'], `domains[${i}].capabilities`);
    for (const flag of CAPABILITY_FLAGS) {
      if (typeof capabilities[flag] !== 'boolean') throw bad(`domains[${i}].capabilities.${flag}`, 'expected a boolean');
    }
    const defaultAnchor = capabilities['defaultAnchor'];
    if (typeof defaultAnchor !== 'string' || !(DEFAULT_ANCHORS as readonly string[]).includes(defaultAnchor)) {
      throw bad(`domains[${i}].capabilities.defaultAnchor`, `expected one of ${DEFAULT_ANCHORS.join(', ')}`);
    }
    const backLinks = capabilities['backLinks'] === undefined ? undefined : parseBackLinks(capabilities['backLinks'], `domains[${i}].capabilities.backLinks`);
    const netBiosName = served['netBiosName'] === undefined ? undefined : shortText(served['netBiosName'], `domains[${i}].netBiosName`, 15);
    return {
      domain,
      ...(netBiosName === undefined ? {} : { netBiosName }),
      capabilities: {
        deltaImport: capabilities['deltaImport'] as boolean,
        deltaReportsDeletions: capabilities['deltaReportsDeletions'] as boolean,
        deltaReportsRenames: capabilities['deltaReportsRenames'] as boolean,
        incrementalValues: capabilities['incrementalValues'] as boolean,
        anchorListing: capabilities['anchorListing'] as boolean,
        defaultAnchor: defaultAnchor as (typeof DEFAULT_ANCHORS)[number],
        ...(backLinks === undefined ? {} : { backLinks }),
      },
    };
  });
}

/** Resolves when the client's connection closes before the answer is sent (a long-poll the agent gave up). */
function connectionClosed(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

export async function agentChannelRoutes(app: FastifyInstance, options: AgentChannelRouteOptions): Promise<void> {
  const { agents, hub } = options;
  app.decorateRequest('agent', null);
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: options.messageLimit }, (request, body, done) => {
    const encoding = request.headers['content-encoding'];
    const decoded =
      encoding === 'gzip'
        ? inflate(body as Buffer, { maxOutputLength: options.messageLimit }).catch((error: NodeJS.ErrnoException) => {
          throw error.code === 'ERR_BUFFER_TOO_LARGE'
            ? new CloudsyncError('ERR_AGENT_BATCH_TOO_LARGE', `the message inflates past the limit of ${options.messageLimit} bytes`)
            : bad('(body)', 'not valid gzip');
        })
        : encoding === undefined || encoding === 'identity'
          ? Promise.resolve(body as Buffer)
          : Promise.reject(bad('Content-Encoding', 'only gzip is accepted'));
    decoded
      .then((buffer) => {
        try {
          done(null, JSON.parse(buffer.toString('utf8')));
        } catch {
          done(bad('(body)', 'not valid JSON'), undefined);
        }
      })
      .catch((error: Error) => done(error, undefined));
  });

  // Every refusal is logged with who and why; the assertion, the token and the message's values never are.
  // A broken message from the agent holding an operation (bad JSON, too large, malformed objects) also ends that
  // operation: the cycle reports why and applies nothing of it.
  app.addHook('onError', async (request, _reply, error) => {
    const code = isCloudsyncError(error) ? error.code : (error as { code?: string }).code;
    request.log.warn({ agentId: request.agent?.id, url: request.url.split('?')[0], code, reason: error.message }, 'agent channel: request refused');
    const operationId = (request.params as { id?: unknown } | undefined)?.id;
    const operation = typeof operationId === 'string' ? hub.operation(operationId) : undefined;
    if (operation !== undefined && request.agent !== null && request.agent.id === operation.holder && code !== 'ERR_AGENT_LEASE_LOST') {
      operation.fail(isCloudsyncError(error) ? error : new CloudsyncError('ERR_AGENT_PROTOCOL', `agent ${request.agent.id}: ${error.message}`));
    }
  });

  const authenticate = async (request: FastifyRequest): Promise<void> => {
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(request.headers.authorization ?? '');
    if (!match) throw new CloudsyncError('ERR_AGENT_ASSERTION_INVALID', "the agent channel needs 'Authorization: Bearer <agent assertion>'");
    const token = match[1]!;
    const agentId = claimedAgentId(token);
    const agent = await agents.get(agentId);
    if (agent === undefined) throw new CloudsyncError('ERR_AGENT_ASSERTION_INVALID', `no agent ${agentId} is registered; register with a new token`);
    await verifyAgentAssertion(token, agent.id, agent.publicKey as JWK, options.clock());
    if (agent.revokedAt !== null) throw new CloudsyncError('ERR_AGENT_REVOKED', `agent ${agent.id} was revoked on ${agent.revokedAt}; register the machine again with a new token`);
    if (!agent.isEnabled) throw new CloudsyncError('ERR_AGENT_DISABLED', `agent ${agent.id} is disabled; an administrator can enable it again`);
    request.agent = agent;
  };
  const authenticated = { onRequest: authenticate };
  // Registration is the one call open to anyone: it gets a small body limit, as do polls and change hints. Only
  // operation messages (batches) may be as large as the message limit.
  const small = { bodyLimit: CONTROL_BODY_LIMIT };
  // Polls and batches come every few seconds from every agent: their request lines would drown the log. Refusals are
  // still logged (warn), with their reason.
  const quiet = { logLevel: 'warn' as const };

  app.post('/registrations', small, async function register(request, reply) {
    const body = objectOf(request.body, '(body)');
    const registrationToken = shortText(body['registrationToken'], 'registrationToken', 512);
    const publicKey = await parseAgentPublicKey(body['publicKey']);
    const agent = await agents.register({
      registrationToken,
      publicKey,
      machineName: shortText(body['machineName'], 'machineName'),
      version: shortText(body['version'], 'version', 64),
      externalIp: request.ip,
    });
    request.log.info({ agentId: agent.id, tenantId: agent.tenantId, machineName: agent.machineName }, 'agent registered');
    return reply.code(201).send({ agentId: agent.id, tenantId: agent.tenantId });
  });

  app.post('/poll', { ...authenticated, ...small, ...quiet }, async function poll(request, reply) {
    const agent = request.agent!;
    const body = objectOf(request.body, '(body)');
    const domains = parseServedDomains(body['domains']);
    const seen = { machineName: shortText(body['machineName'], 'machineName'), version: shortText(body['version'], 'version', 64), domains: domains.map((d) => d.domain), externalIp: request.ip };
    await agents.recordSeen(agent.id, seen);
    const operations = await hub.poll(agent.id, agent.tenantId, domains, connectionClosed(reply));
    return { operations, pollAfterMs: 0 };
  });

  // Near real time: the agent saw changes in domains it serves; their jobs run now (a hint, never data).
  app.post('/changes', { ...authenticated, ...small }, async function changes(request) {
    const agent = request.agent!;
    hub.touch(agent.id);
    const body = objectOf(request.body, '(body)');
    const domains = body['domains'];
    if (!Array.isArray(domains) || domains.length > 50) throw bad('domains', 'expected an array of at most 50 domains');
    let started = 0;
    for (const [i, domain] of domains.entries()) {
      const name = shortText(domain, `domains[${i}]`).toLowerCase();
      if (!agent.domains.includes(name)) throw bad(`domains[${i}]`, `this agent does not serve ${name}`);
      started += (await options.onChanges?.(agent.tenantId, name)) ?? 0;
    }
    return { started };
  });

  app.post<{ Params: { id: string } }>('/operations/:id', { ...authenticated, ...quiet }, async function operationMessage(request) {
    const agent = request.agent!;
    hub.touch(agent.id);
    const operation = hub.operation(request.params.id);
    if (operation === undefined) throw new CloudsyncError('ERR_AGENT_LEASE_LOST', `operation ${request.params.id} is unknown or finished; stop it`);
    const envelope = parseOperationMessage(operation, request.body);
    await operation.deliver(agent.id, envelope.lease, envelope.seq, envelope.decode);
    return { accepted: true };
  });
}
