/**
 * Runs one operation the service leased to this agent against the local source connector, and streams its results
 * back: one message per batch, each sent only after the service accepted the one before (back-pressure: the local
 * LDAP search pauses while the service is busy), each retried on network errors until the service answers.
 *
 * The service refusing a message with LeaseLost (409) means the run moved to another agent, or the operation is
 * unknown (the service restarted): the operation stops here at once, and its remaining results are never sent.
 */
import { CloudsyncError, isCloudsyncError } from '../errors/index.ts';
import type { EngineSource } from '../engine/index.ts';
import type { Value } from '../expressions/value.ts';
import type { OperationAssignment, OperationKind, OperationMessage, OperationParameters } from '../agent-channel/channel-protocol.ts';
import { encodeImportBatch, encodeSourceObject, encodeValue, type WireImportBatch } from '../agent-channel/wire-value.ts';
import { pause, ReconnectBackoff } from './reconnect-backoff.ts';
import type { ServiceAnswer } from './service-client.ts';

export interface OperationTransport {
  send(operationId: string, message: OperationMessage, signal: AbortSignal): Promise<ServiceAnswer>;
}

type Producers = { readonly [K in OperationKind]: (source: EngineSource, parameters: OperationParameters[K], signal: AbortSignal) => AsyncIterable<unknown> };

/** The import options besides the batch size, as the service sent them. */
function importExtras(parameters: OperationParameters['fullImport']): { maxInlineValues?: number; withAttributes?: readonly string[] } {
  return {
    ...(parameters.maxInlineValues === undefined ? {} : { maxInlineValues: parameters.maxInlineValues }),
    ...(parameters.withAttributes === undefined ? {} : { withAttributes: parameters.withAttributes }),
  };
}

/** What each kind of operation sends as `items`, batch by batch. */
const PRODUCERS: Producers = {
  fullImport: async function* (source, parameters, signal) {
    for await (const batch of source.fullImport({ batchSize: parameters.batchSize, signal, ...importExtras(parameters) })) {
      yield encodeImportBatch(batch);
    }
  },
  deltaImport: async function* (source, parameters, signal) {
    const options = { batchSize: parameters.batchSize, signal, ...importExtras(parameters) };
    for await (const batch of source.deltaImport(parameters.watermark, options)) yield encodeImportBatch(batch);
  },
  readObject: async function* (source, parameters) {
    const object = await source.readObject(parameters.dn, parameters.identityOnly === true ? { identityOnly: true } : {});
    yield object === undefined ? null : encodeSourceObject(object);
  },
  readValues: async function* (source, parameters, signal) {
    for await (const values of source.readValues(parameters.dn, parameters.attribute, { chunkSize: parameters.chunkSize, signal })) {
      yield values.map((value: Value) => encodeValue(value));
    }
  },
  listAnchors: async function* (source, parameters, signal) {
    for await (const anchors of source.listAnchors({ batchSize: parameters.batchSize, signal })) yield anchors;
  },
};

export type OperationOutcome = 'completed' | 'failed' | 'moved' | 'stopped';

export async function runOperation(
  assignment: OperationAssignment,
  source: EngineSource,
  transport: OperationTransport,
  signal: AbortSignal,
  log: (level: 'info' | 'warn', fields: Record<string, unknown>, message: string) => void,
  /** The watermark a completed import ended with (the change watch reads from it). */
  onWatermark?: (watermark: string) => void,
): Promise<OperationOutcome> {
  let watermark: string | undefined;
  const local = new AbortController();
  const stop = (): void => local.abort();
  signal.addEventListener('abort', stop, { once: true });
  let seq = 0;
  const backoff = new ReconnectBackoff();
  /** true: accepted; false: the operation is no longer ours. */
  type Body = { readonly type: 'items'; readonly items: unknown } | { readonly type: 'end' } | { readonly type: 'error'; readonly code: string; readonly message: string };
  const send = async (message: Body): Promise<boolean> => {
    const full = { ...message, lease: assignment.lease, seq } as OperationMessage;
    for (;;) {
      if (local.signal.aborted) return false;
      try {
        const answer = await transport.send(assignment.id, full, local.signal);
        if (answer.kind === 'ok') {
          seq++;
          backoff.reset();
          return true;
        }
        log('warn', { operationId: assignment.id, status: answer.status, code: answer.code, reason: answer.message }, 'the service refused a message; the operation stops here');
        return false;
      } catch (error) {
        if (local.signal.aborted) return false;
        const wait = backoff.next();
        log('warn', { operationId: assignment.id, reason: (error as Error).message, retryInMs: wait }, 'could not send a result; retrying');
        await pause(wait, local.signal);
      }
    }
  };
  try {
    const producer = (PRODUCERS[assignment.kind] as (source: EngineSource, parameters: unknown, signal: AbortSignal) => AsyncIterable<unknown>)(source, assignment.parameters, local.signal);
    try {
      for await (const items of producer) {
        if (!(await send({ type: 'items', items }))) return signal.aborted ? 'stopped' : 'moved';
        if (assignment.kind === 'fullImport' || assignment.kind === 'deltaImport') watermark = (items as WireImportBatch).watermark ?? watermark;
      }
    } catch (error) {
      if (local.signal.aborted) return signal.aborted ? 'stopped' : 'moved';
      // Only our own errors carry a message fit for the service (no stack, no credentials: the connectors never put
      // the bind password in a message).
      const reported = isCloudsyncError(error) ? error : new CloudsyncError('ERR_AGENT_UNAVAILABLE', 'the agent failed while reading the directory (see the agent log)');
      if (!isCloudsyncError(error)) log('warn', { operationId: assignment.id, err: error }, 'operation failed');
      await send({ type: 'error', code: reported.code, message: reported.message });
      return 'failed';
    }
    if (!(await send({ type: 'end' }))) return signal.aborted ? 'stopped' : 'moved';
    if (watermark !== undefined) onWatermark?.(watermark);
    return 'completed';
  } finally {
    signal.removeEventListener('abort', stop);
    local.abort();
  }
}
