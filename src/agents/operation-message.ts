/**
 * An agent's message for an operation, checked against what the operation asked for before anything reaches a
 * cycle: the envelope (lease, seq, type), the items' shape for the operation's kind, and their count (at most the
 * batch size the service asked for — an oversized batch is refused whole, never truncated).
 */
import { CloudsyncError } from '../errors/index.ts';
import type { OperationKind, OperationParameters } from '../agent-channel/channel-protocol.ts';
import { decodeImportBatch, decodeSourceObject, decodeValue, WIRE_LIMITS } from '../agent-channel/wire-value.ts';
import type { RemoteOperation, OperationEvent } from './remote-operation.ts';
import { agentReportedError } from './remote-source-connector.ts';

export interface MessageEnvelope {
  readonly lease: number;
  readonly seq: number;
  readonly decode: () => OperationEvent;
}

function bad(path: string, message: string): CloudsyncError {
  return new CloudsyncError('ERR_AGENT_PROTOCOL', `${path}: ${message}`, { path });
}

function tooMany(path: string, count: number, max: number): CloudsyncError {
  return new CloudsyncError('ERR_AGENT_BATCH_TOO_LARGE', `${path}: ${count} entries in one batch; the service asked for at most ${max}`, { path });
}

type ItemDecoders = { readonly [K in OperationKind]: (items: unknown, parameters: OperationParameters[K]) => unknown };

const DECODE_ITEMS: ItemDecoders = {
  fullImport: (items, parameters) => decodeImportBatch(items, 'items', parameters.batchSize),
  deltaImport: (items, parameters) => decodeImportBatch(items, 'items', parameters.batchSize),
  readObject: (items) => (items === null ? null : decodeSourceObject(items, 'items')),
  readValues: (items, parameters) => {
    if (!Array.isArray(items)) throw bad('items', 'expected an array of values');
    if (items.length > parameters.chunkSize) throw tooMany('items', items.length, parameters.chunkSize);
    return items.map((value, i) => decodeValue(value, `items[${i}]`));
  },
  listAnchors: (items, parameters) => {
    if (!Array.isArray(items)) throw bad('items', 'expected an array of anchors');
    if (items.length > parameters.batchSize) throw tooMany('items', items.length, parameters.batchSize);
    return items.map((anchor, i) => {
      if (typeof anchor !== 'string' || anchor === '' || anchor.length > WIRE_LIMITS.maxStringLength) throw bad(`items[${i}]`, 'expected an anchor string');
      return anchor;
    });
  },
};

/** Reads the envelope now; the items are decoded only once the message is known to be the next one. */
export function parseOperationMessage(operation: RemoteOperation, body: unknown): MessageEnvelope {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('(body)', 'expected a JSON object');
  const fields = body as Record<string, unknown>;
  const { lease, seq, type } = fields;
  if (!Number.isSafeInteger(lease)) throw bad('lease', 'expected an integer');
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) throw bad('seq', 'expected a non-negative integer');
  const decoders: Readonly<Record<string, () => OperationEvent>> = {
    items: () => ({ type: 'items', items: (DECODE_ITEMS[operation.kind] as (items: unknown, parameters: unknown) => unknown)(fields['items'], operation.parameters) }),
    end: () => ({ type: 'end' }),
    error: () => {
      if (typeof fields['code'] !== 'string' || typeof fields['message'] !== 'string') throw bad('message', 'an error message carries code and message strings');
      return { type: 'error', error: agentReportedError(fields['code'], fields['message'].slice(0, 2000), operation.holder) };
    },
  };
  if (typeof type !== 'string' || !Object.hasOwn(decoders, type)) throw bad('type', 'expected items, end or error');
  return { lease: lease as number, seq: seq as number, decode: decoders[type]! };
}
