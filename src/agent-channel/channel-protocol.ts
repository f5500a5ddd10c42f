/**
 * The agent channel: what an on-premises agent and the service say to each other. HTTPS long-poll, agent →
 * service only (the agent opens no port):
 *
 *   POST /agent/v1/registrations          {registrationToken, publicKey, machineName, version}  → 201 {agentId, tenantId}
 *   POST /agent/v1/poll                   {machineName, version, domains:[…]}       → 200 {operations:[…]} (held ≤ pollWaitMs)
 *   POST /agent/v1/operations/{id}        OperationMessage (gzip)                   → 200 once the service consumed it
 *
 * Every call but registration carries `Authorization: Bearer <assertion>`, a JWT the agent signs with its own key
 * (agent-assertion.ts). A poll is also the heartbeat: an agent polls again as soon as a poll returns, so the service
 * hears from it at least every pollWaitMs.
 *
 * Back-pressure: the service answers an operation message only after the consumer (the engine's import loop) has
 * taken it, and the agent sends the next one only after that answer: one batch per operation is ever in flight.
 *
 * Leases: every operation the service hands out carries a `lease` number. A message whose lease is not the
 * operation's current one (the run moved to another agent when this one went silent) is refused with 409
 * ERR_AGENT_LEASE_LOST, and the agent stops that operation — so two agents never feed the same run.
 */
import type { SourceCapabilities } from '../connectors/source-connector.ts';

export const CHANNEL_PREFIX = '/agent/v1';

export const OPERATION_KINDS = ['fullImport', 'deltaImport', 'readObject', 'readValues', 'listAnchors'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

export interface OperationParameters {
  readonly fullImport: { readonly batchSize: number; readonly maxInlineValues?: number; readonly withAttributes?: readonly string[] };
  readonly deltaImport: { readonly watermark: string; readonly batchSize: number; readonly maxInlineValues?: number; readonly withAttributes?: readonly string[] };
  readonly readObject: { readonly dn: string; readonly identityOnly?: boolean };
  readonly readValues: { readonly dn: string; readonly attribute: string; readonly chunkSize: number };
  readonly listAnchors: { readonly batchSize: number };
}

/** Work the service hands an agent in a poll answer. */
export interface OperationAssignment<K extends OperationKind = OperationKind> {
  readonly id: string;
  readonly lease: number;
  readonly domain: string;
  readonly kind: K;
  readonly parameters: OperationParameters[K];
}

/**
 * What an agent sends back for an operation, in order (`seq` from 0):
 * - `items`: one bounded batch (an import batch; values; anchors; for readObject the object or null);
 * - `end`: the operation is complete;
 * - `error`: the agent could not do it (LDAP down on every DC, …): code and message, never credentials.
 */
export type OperationMessage =
  | { readonly lease: number; readonly seq: number; readonly type: 'items'; readonly items: unknown }
  | { readonly lease: number; readonly seq: number; readonly type: 'end' }
  | { readonly lease: number; readonly seq: number; readonly type: 'error'; readonly code: string; readonly message: string };

/** One domain an agent serves, as it announces it in every poll. */
export interface ServedDomain {
  readonly domain: string;
  readonly netBiosName?: string;
  readonly capabilities: SourceCapabilities;
}

export interface PollRequest {
  readonly machineName: string;
  readonly version: string;
  readonly domains: readonly ServedDomain[];
}

export interface PollAnswer {
  readonly operations: readonly OperationAssignment[];
  /** How long the agent should wait before its next poll when it has nothing to do (ms); 0 = at once. */
  readonly pollAfterMs: number;
}

export interface RegistrationRequest {
  readonly registrationToken: string;
  /** The agent's public key as a JWK (Ed25519, `kty: OKP`). */
  readonly publicKey: Record<string, unknown>;
  readonly machineName: string;
  readonly version: string;
}

export interface RegistrationAnswer {
  readonly agentId: string;
  readonly tenantId: string;
}

/** The channel's error body: a stable code from src/errors/codes.ts and a message for the operator. */
export interface ChannelError {
  readonly error: { readonly code: string; readonly message: string };
}

/** The audience of agent assertions: they are good for this channel and nothing else (not for /v1.0). */
export const ASSERTION_AUDIENCE = 'urn:cloudsync:agent-channel';
/** Longest lifetime the service accepts for one assertion (seconds). The agent signs a fresh one per minute. */
export const ASSERTION_MAX_LIFETIME_SECONDS = 300;
