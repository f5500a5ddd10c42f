/**
 * One unit of work (an import, a read) leased to one agent: the service-side end of its message stream.
 *
 * Invariants:
 * - Exactly one agent holds an operation (`holder`, `lease`); a message from any other agent, or naming another
 *   lease, is refused (ERR_AGENT_LEASE_LOST). When the holder goes silent the consumer closes the operation and
 *   starts a new one — with a new id and the next lease number — on another agent; the old id is then unknown,
 *   which fences off the silent agent should it come back.
 * - Messages are taken in `seq` order. A repeat of the last accepted message (the agent retried after losing the
 *   answer) is acknowledged again without being delivered twice.
 * - Back-pressure: at most BUFFERED_MESSAGES received messages wait for the consumer. A message that finds the
 *   buffer full is answered only when the consumer has taken one, and the agent sends nothing more until it is
 *   answered. So the agent reads the next page from its directory while the engine applies the previous batch (the
 *   two overlap, as in process), and the service holds at most that many batches per operation whatever the
 *   directory's size.
 */
import { CloudsyncError } from '../errors/index.ts';
import type { OperationAssignment, OperationKind, OperationParameters } from '../agent-channel/channel-protocol.ts';

/** A message after validation: items already decoded for the kind of operation. */
export type OperationEvent = { readonly type: 'items'; readonly items: unknown } | { readonly type: 'end' } | { readonly type: 'error'; readonly error: CloudsyncError };

/** Messages of one operation buffered for the consumer before the agent's next POST waits. */
export const BUFFERED_MESSAGES = 1;

interface Sender {
  readonly accepted: () => void;
  readonly refused: (error: CloudsyncError) => void;
}

export class RemoteOperation<K extends OperationKind = OperationKind> {
  readonly id: string;
  readonly tenantId: string;
  readonly domain: string;
  readonly kind: K;
  readonly parameters: OperationParameters[K];
  readonly holder: string;
  readonly lease: number;
  #nextSeq = 0;
  readonly #buffer: OperationEvent[] = [];
  /** The POST of the last message, while the buffer is over its bound. */
  #blocked: Sender | undefined;
  #waiter: ((event: OperationEvent | CloudsyncError) => void) | undefined;
  #closed: CloudsyncError | undefined;

  constructor(init: { id: string; tenantId: string; domain: string; kind: K; parameters: OperationParameters[K]; holder: string; lease: number }) {
    this.id = init.id;
    this.tenantId = init.tenantId;
    this.domain = init.domain;
    this.kind = init.kind;
    this.parameters = init.parameters;
    this.holder = init.holder;
    this.lease = init.lease;
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  assignment(): OperationAssignment<K> {
    return { id: this.id, lease: this.lease, domain: this.domain, kind: this.kind, parameters: this.parameters };
  }

  /**
   * A message from `agentId`; resolves when the consumer took it (the answer to the agent's POST). `decode` runs only
   * for a message that is next in sequence, so a refused repeat costs nothing.
   */
  deliver(agentId: string, lease: number, seq: number, decode: () => OperationEvent): Promise<void> {
    if (this.#closed !== undefined || agentId !== this.holder || lease !== this.lease) {
      return Promise.reject(new CloudsyncError('ERR_AGENT_LEASE_LOST', `operation ${this.id} is no longer leased to agent ${agentId} (lease ${lease}); stop it`));
    }
    if (seq === this.#nextSeq - 1) {
      const blocked = this.#blocked;
      if (blocked === undefined) return Promise.resolve();
      // The agent lost the answer to a message still waiting for room: answer the retry when there is room.
      return new Promise<void>((accepted, refused) => {
        this.#blocked = {
          accepted: () => { blocked.accepted(); accepted(); },
          refused: (error) => { blocked.refused(error); refused(error); },
        };
      });
    }
    if (seq !== this.#nextSeq || this.#blocked !== undefined) {
      return Promise.reject(new CloudsyncError('ERR_AGENT_PROTOCOL', `operation ${this.id}: message ${seq} out of order (expected ${this.#nextSeq}, one at a time)`, { path: 'seq' }));
    }
    const event = decode();
    this.#nextSeq++;
    this.#buffer.push(event);
    this.#handOver();
    if (this.#buffer.length <= BUFFERED_MESSAGES) return Promise.resolve();
    return new Promise<void>((accepted, refused) => {
      this.#blocked = { accepted, refused };
    });
  }

  /** Fails the operation with `error` (a hostile or broken message); the consumer sees it at its next receive. */
  fail(error: CloudsyncError): void {
    if (this.#closed !== undefined) return;
    this.#blocked?.refused(error);
    this.#blocked = undefined;
    this.#buffer.length = 0;
    this.#closed = error;
    this.#waiter?.(error);
    this.#waiter = undefined;
  }

  /** The consumer is done (or gives the operation up): any later message from the agent is refused. */
  close(reason: CloudsyncError = new CloudsyncError('ERR_AGENT_LEASE_LOST', `operation ${this.id} is closed`)): void {
    this.fail(reason);
  }

  /**
   * The next message. Rejects with the operation's failure; with ERR_AGENT_LEASE_LOST when `stillLeased()` turns
   * false while waiting (checked every `checkMs`); with the signal's reason when aborted.
   */
  receive(options: { readonly stillLeased: () => boolean; readonly checkMs: number; readonly signal?: AbortSignal }): Promise<OperationEvent> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    return new Promise<OperationEvent>((resolve, reject) => {
      const timer = setInterval(() => {
        if (!options.stillLeased()) {
          finish(new CloudsyncError('ERR_AGENT_LEASE_LOST', `agent ${this.holder} went silent during operation ${this.id}`));
        }
      }, options.checkMs);
      const onAbort = (): void => finish(options.signal!.reason instanceof CloudsyncError ? options.signal!.reason : new CloudsyncError('ERR_SYNC_CYCLE_ABORTED', 'the cycle was stopped'));
      const finish = (outcome: OperationEvent | CloudsyncError): void => {
        clearInterval(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.#waiter = undefined;
        if (outcome instanceof CloudsyncError) reject(outcome);
        else resolve(outcome);
      };
      if (options.signal?.aborted === true) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiter = finish;
      this.#handOver();
    });
  }

  #handOver(): void {
    if (this.#waiter !== undefined && this.#buffer.length > 0) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter(this.#buffer.shift()!);
    }
    if (this.#blocked !== undefined && this.#buffer.length <= BUFFERED_MESSAGES) {
      const blocked = this.#blocked;
      this.#blocked = undefined;
      blocked.accepted();
    }
  }
}
