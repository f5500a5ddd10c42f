/**
 * The engine's source port served by on-premises agents across the channel: each call becomes an operation leased
 * to one active agent of the job's tenant and domain, whose messages are decoded (untrusted input) and yielded as
 * the port's values.
 *
 * When the agent holding an operation goes silent, the operation moves to another active agent and resumes:
 *   - deltaImport from the last watermark the engine received ("changes can repeat, never go missing");
 *   - fullImport and listAnchors from the start (the engine's cycle marks entries seen idempotently, so objects
 *     received twice are applied once);
 *   - readValues skips the values already yielded (a ranged retrieval returns values in a stable order);
 *   - readObject is simply asked again.
 * ERR_AGENT_UNAVAILABLE when no agent is left to move to.
 */
import { CloudsyncError, isErrorCode } from '../errors/index.ts';
import { DEFAULT_BATCH_SIZE, type ImportBatch, type ImportOptions, type ReadObjectOptions, type SourceCapabilities, type SourceObject } from '../connectors/source-connector.ts';
import type { EngineSource } from '../engine/index.ts';
import { isReference, type Value } from '../expressions/value.ts';
import type { OperationKind, OperationParameters } from '../agent-channel/channel-protocol.ts';
import type { AgentHub } from './agent-hub.ts';
import type { OperationEvent } from './remote-operation.ts';

/** How often a waiting consumer checks that the agent holding its operation is still active (ms). */
const LEASE_CHECK_MS = 500;
/** Objects of this cycle's imports whose reference values readValues answers without a round trip. */
const REFERENCE_CACHE_OBJECTS = 50_000;

export class RemoteSourceConnector implements EngineSource {
  readonly capabilities: SourceCapabilities;
  readonly #hub: AgentHub;
  readonly #tenantId: string;
  readonly #domain: string;
  readonly #onLeaseMoved: ((event: { readonly domain: string; readonly from: string; readonly reason: string }) => void) | undefined;
  /**
   * DN → the objects' DN-valued attributes and deferred attribute names, as this connector's imports delivered them
   * (one connector serves one cycle). The engine's reference resolution asks readValues(dn, 'manager' | 'member')
   * for every object with references: answering those from what the import just delivered saves one round trip to
   * the agent per object — the values are the ones the in-process connector would have read a moment later, and a
   * change since is reported by the next delta. Deferred attributes (huge groups) always go to the agent. Bounded:
   * the oldest entries are dropped past REFERENCE_CACHE_OBJECTS.
   */
  readonly #references = new Map<string, { readonly values: ReadonlyMap<string, readonly Value[]>; readonly deferred: ReadonlySet<string> }>();
  /** The source's back-link attributes (lower case): always read from the agent. */
  readonly #backLinks: ReadonlySet<string>;

  constructor(hub: AgentHub, tenantId: string, domain: string, capabilities: SourceCapabilities, onLeaseMoved?: (event: { readonly domain: string; readonly from: string; readonly reason: string }) => void) {
    this.#hub = hub;
    this.#tenantId = tenantId;
    this.#domain = domain;
    this.capabilities = capabilities;
    this.#backLinks = new Set(Object.values(capabilities.backLinks ?? {}).map((name) => name.toLowerCase()));
    this.#onLeaseMoved = onLeaseMoved;
  }

  /**
   * Runs an operation to its end, moving it when its agent goes silent. `items` is called with each batch of
   * decoded items and returns what to yield; `resume` gives the parameters of the moved operation.
   */
  async *#run<K extends OperationKind>(kind: K, first: OperationParameters[K], resume: () => OperationParameters[K], signal?: AbortSignal): AsyncGenerator<unknown> {
    let parameters = first;
    for (;;) {
      const operation = await this.#hub.start(this.#tenantId, this.#domain, kind, parameters, signal);
      let event: OperationEvent;
      try {
        for (;;) {
          event = await operation.receive({ stillLeased: () => this.#hub.isActive(operation.holder), checkMs: LEASE_CHECK_MS, ...(signal === undefined ? {} : { signal }) });
          if (event.type === 'end') return;
          if (event.type === 'error') throw event.error;
          yield event.items;
        }
      } catch (error) {
        if (!(error instanceof CloudsyncError) || error.code !== 'ERR_AGENT_LEASE_LOST' || signal?.aborted === true) throw error;
        this.#onLeaseMoved?.({ domain: this.#domain, from: operation.holder, reason: error.message });
        parameters = resume();
      } finally {
        this.#hub.finish(operation);
      }
    }
  }

  async *fullImport(options: ImportOptions = {}): AsyncIterable<ImportBatch> {
    const parameters = {
      batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      ...(options.maxInlineValues === undefined ? {} : { maxInlineValues: options.maxInlineValues }),
      ...(options.withAttributes === undefined ? {} : { withAttributes: [...options.withAttributes] }),
    };
    for await (const batch of this.#run('fullImport', parameters, () => parameters, options.signal)) {
      this.#remember(batch as ImportBatch);
      yield batch as ImportBatch;
    }
  }

  #remember(batch: ImportBatch): void {
    for (const object of batch.objects) {
      const key = object.dn.toLowerCase();
      this.#references.delete(key);
      if (object.isDeleted || object.valueChanges !== undefined) continue;
      const values = new Map<string, readonly Value[]>();
      // Attributes that hold anything but DN references are not answered here (undefined: ask the agent).
      const unanswered = new Set((object.deferredAttributes ?? []).map((name) => name.toLowerCase()));
      for (const [name, value] of Object.entries(object.attributes)) {
        const list = Array.isArray(value) ? (value as readonly Value[]) : value === null ? [] : [value];
        if (list.every(isReference)) values.set(name.toLowerCase(), list);
        else unanswered.add(name.toLowerCase());
      }
      this.#references.set(key, { values, deferred: unanswered });
      if (this.#references.size > REFERENCE_CACHE_OBJECTS) this.#references.delete(this.#references.keys().next().value!);
    }
  }

  /** The values readValues would stream, when this cycle's import already delivered them; else undefined. */
  #rememberedValues(dn: string, attribute: string): readonly Value[] | undefined {
    // A back link may not be among the attributes the agent imports (directReports never is): an object without it
    // in its import says nothing about its values, so it is always read.
    if (this.#backLinks.has(attribute.toLowerCase())) return undefined;
    const remembered = this.#references.get(dn.toLowerCase());
    if (remembered === undefined || remembered.deferred.has(attribute.toLowerCase())) return undefined;
    return remembered.values.get(attribute.toLowerCase()) ?? [];
  }

  async *deltaImport(watermark: string, options: ImportOptions = {}): AsyncIterable<ImportBatch> {
    let last = watermark;
    const parameters = (): OperationParameters['deltaImport'] => ({
      watermark: last, batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE, ...(options.maxInlineValues === undefined ? {} : { maxInlineValues: options.maxInlineValues }),
      ...(options.withAttributes === undefined ? {} : { withAttributes: [...options.withAttributes] }),
    });
    for await (const item of this.#run('deltaImport', parameters(), parameters, options.signal)) {
      const batch = item as ImportBatch;
      this.#remember(batch);
      yield batch;
      if (batch.watermark !== undefined) last = batch.watermark;
    }
  }

  async readObject(dn: string, options: ReadObjectOptions = {}): Promise<SourceObject | undefined> {
    // Read to the end message: stopping at the object would close the operation under the agent's `end`.
    let found: SourceObject | undefined;
    const parameters = { dn, ...(options.identityOnly === true ? { identityOnly: true } : {}) };
    for await (const item of this.#run('readObject', parameters, () => parameters)) found = (item as SourceObject | null) ?? undefined;
    return found;
  }

  async *readValues(dn: string, attribute: string, options: { readonly chunkSize?: number; readonly signal?: AbortSignal } = {}): AsyncIterable<readonly Value[]> {
    const parameters = { dn, attribute, chunkSize: options.chunkSize ?? 1000 };
    const remembered = this.#rememberedValues(dn, attribute);
    if (remembered !== undefined) {
      for (let i = 0; i < remembered.length; i += parameters.chunkSize) yield remembered.slice(i, i + parameters.chunkSize);
      return;
    }
    let yielded = 0;
    let skip = 0;
    for await (const item of this.#run('readValues', parameters, () => ((skip = yielded), parameters), options.signal)) {
      let values = item as readonly Value[];
      if (skip > 0) {
        const dropped = Math.min(skip, values.length);
        values = values.slice(dropped);
        skip -= dropped;
      }
      if (values.length === 0) continue;
      yielded += values.length;
      yield values;
    }
  }

  async *listAnchors(options: ImportOptions = {}): AsyncIterable<readonly string[]> {
    const parameters = { batchSize: options.batchSize ?? 1000 };
    for await (const anchors of this.#run('listAnchors', parameters, () => parameters, options.signal)) yield anchors as readonly string[];
  }
}

/** An agent's `error` message as an error of ours: its code when it is one of ours, else ERR_AGENT_UNAVAILABLE. */
export function agentReportedError(code: string, message: string, agentId: string): CloudsyncError {
  return new CloudsyncError(isErrorCode(code) ? code : 'ERR_AGENT_UNAVAILABLE', `agent ${agentId}: ${message}`);
}
