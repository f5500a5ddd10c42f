/**
 * Threaded imports: an LDAP source connector whose fullImport and deltaImport run on a worker thread
 * (import-thread.ts), so that reading the directory overlaps with the engine instead of taking turns with it on
 * the main thread.
 *
 * Why: the engine, the cloud directory and SQLite saturate the service's main thread during a full sync; ldapts'
 * BER parsing and our entry normalisation cost another ~4–5 s of it per 200,000 OpenLDAP users (more for Samba AD:
 * binary attributes, ranged member retrieval). On a thread they use the other core. Everything else
 * (readObject, readValues, listAnchors, close) stays on the main thread's own connector: those are small,
 * latency-bound reads where a thread would only add its start-up time.
 *
 * Each import gets a fresh thread and a fresh LDAP session built from the same options (ldap-connector-spec.ts),
 * which ends with the import. A thread costs its start-up (~0.1–0.3 s: loading ldapts and our modules) and one
 * rootDSE/schema read per import, small against a full import and against the minutes between delta cycles.
 *
 * Invariants:
 * - Batches arrive in import order with their watermarks; SourceObject is plain data (strings, numbers, bigint,
 *   Date, Uint8Array, arrays, records), which V8's serializer copies field for field (import-thread.ts says why
 *   not as a structured-clone message). DnReferences (frozen where they are made, expressions/value.ts) are
 *   frozen again on arrival and binary values get buffers of their own (see settle()).
 * - Bounded memory: at most IMPORT_THREAD_CREDITS batches are posted and not yet taken by the consumer; the
 *   thread's own heap is capped by IMPORT_THREAD_RESOURCE_LIMITS (a runaway import ends as an error there, not as
 *   the service's out-of-memory).
 * - A CloudsyncError thrown on the thread is thrown here with the same code, message, path, position and details.
 * - The thread ends with the import, whichever way it ends: completion, error, the consumer stopping early
 *   (break/return()), or `options.signal` aborting (the import then throws `signal.reason`, as the in-process
 *   import does). A thread that dies (out of memory, a bug) is an error for the consumer, never a hang.
 */
import { deserialize } from 'node:v8';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { CloudsyncError } from '../../errors/index.ts';
import { isReference, type Value } from '../../expressions/value.ts';
import type { ChangeNotificationOptions, ImportBatch, ImportOptions, ReadObjectOptions, SourceCapabilities, SourceConnector, SourceObject, Watermark } from '../source-connector.ts';
import type { ImportThreadCommand, ImportThreadData, ImportThreadMessage, ThreadError } from './import-thread.ts';
import { createLdapConnector, type LdapConnectorSpec } from './ldap-connector-spec.ts';

/**
 * Batches the thread may have posted that the consumer has not taken yet. One: the engine is the slower side of a
 * full sync (the thread parses a 2,000-object batch in ~50 ms, the engine applies it in ~500 ms) and already
 * reads one batch ahead itself, so a deeper queue would only hold more objects on the main heap (~3 MB each
 * 1,000) without ever being drained faster. The engine's read-ahead plus this one: at most three batches there.
 */
export const IMPORT_THREAD_CREDITS = 1;

/**
 * The import thread's V8 heap caps (MB): what stops a runaway import (a page of huge groups) as an error of the
 * import instead of the service's out-of-memory. The thread holds one LDAP page (1,000 entries) raw and
 * normalised, the batch being filled and, while completing a page, the ranged member lists of its groups
 * (bounded by the engine's maxInlineValues): ~25 MB live in a 200,000-user OpenLDAP import, more for pages of
 * large AD groups, hence the margin. The cap hardly moves resident memory (200,000 users: peak RSS 552 MB at
 * 40/4, 544–549 at 48/16, 550–551 at 64/8–16); the thread's fixed cost is its isolate, modules and malloc arena.
 */
export const IMPORT_THREAD_RESOURCE_LIMITS = Object.freeze({ maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 });

/**
 * The thread's first code: turns on Node's on-disk compile cache (https://nodejs.org/api/module.html#module-compile-cache,
 * `$NODE_COMPILE_CACHE`, else `<os.tmpdir()>/node-compile-cache`), then loads import-thread.ts. The cache keeps
 * the type-stripped form of our TypeScript sources, so a thread whose sources are all cached never loads Node's
 * TypeScript stripper, a WebAssembly module that costs each thread ~25 MB resident (measured: a thread loading the
 * connector modules takes 114 MB → 88 MB of process RSS with a warm cache). Only the first thread after an
 * upgrade pays it. Plain JavaScript (an eval'd CommonJS script) because the cache has to be on before the first
 * .ts file loads; a failed load reaches the main thread as the thread's 'error' event, as any other crash.
 */
const THREAD_BOOTSTRAP = `require('node:module').enableCompileCache();
import(${JSON.stringify(new URL('./import-thread.ts', import.meta.url).href)});`;

/** The error thrown here for one that crossed from the thread (see import-thread.ts for the wire form). */
function rebuiltError(error: ThreadError): Error {
  const rebuilt = error.kind === 'cloudsync'
    ? new CloudsyncError(error.code, error.message, {
      ...(error.path === undefined ? {} : { path: error.path }),
      ...(error.position === undefined ? {} : { position: error.position }),
      ...(error.details === undefined ? {} : { details: error.details }),
    })
    : Object.assign(new Error(error.message), { name: error.name });
  // The thread's stack says where it failed; this side's would only show the message loop.
  if (error.stack !== undefined) rebuilt.stack = error.stack;
  return rebuilt;
}

/** One value as the connector made it: references frozen, binary values on buffers of their own. */
function settled(value: Value, message: ArrayBufferLike): Value {
  if (Array.isArray(value)) {
    settleAll(value as Value[], message);
    return value;
  }
  if (value instanceof Uint8Array) return value.buffer === message ? value.slice() : value;
  return isReference(value) ? Object.freeze(value) : value;
}

function settleAll(list: Value[], message: ArrayBufferLike): void {
  for (let i = 0; i < list.length; i++) list[i] = settled(list[i]!, message);
}

/**
 * Restores what V8's deserializer changes: DnReferences are not frozen, and binary values are views into the
 * message's buffer (v8.deserialize does not copy aligned typed arrays) — one 16-byte objectGUID kept by the
 * engine would keep the whole batch's bytes (~0.7 KB per object) alive. Each gets a buffer of its own.
 */
function settle(objects: readonly SourceObject[], message: ArrayBufferLike): void {
  for (const object of objects) {
    const attributes = object.attributes as Record<string, Value>;
    for (const name in attributes) attributes[name] = settled(attributes[name]!, message);
    const anchors = object.anchors as { objectGuidBytes?: Uint8Array; consistencyGuid?: Uint8Array };
    if (anchors.objectGuidBytes !== undefined) anchors.objectGuidBytes = settled(anchors.objectGuidBytes, message) as Uint8Array;
    if (anchors.consistencyGuid !== undefined) anchors.consistencyGuid = settled(anchors.consistencyGuid, message) as Uint8Array;
    for (const name in object.valueChanges ?? {}) {
      const change = object.valueChanges![name]!;
      settleAll(change.added as Value[], message);
      settleAll(change.removed as Value[], message);
    }
  }
}

/**
 * Runs one import of `spec`'s connector on a new thread and yields its batches in order. `resourceLimits` is
 * there for tests (a heap too small for the import is how a thread crash is reproduced).
 */
export async function* importOnThread(
  spec: LdapConnectorSpec,
  operation: ImportThreadData['operation'],
  options: ImportOptions = {},
  resourceLimits: ResourceLimits = IMPORT_THREAD_RESOURCE_LIMITS,
): AsyncGenerator<ImportBatch> {
  const { signal } = options;
  signal?.throwIfAborted();
  const workerData: ImportThreadData = {
    spec,
    operation,
    options: {
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(options.maxInlineValues === undefined ? {} : { maxInlineValues: options.maxInlineValues }),
      ...(options.withAttributes === undefined ? {} : { withAttributes: [...options.withAttributes] }),
    },
    credits: IMPORT_THREAD_CREDITS,
  };
  const worker = new Worker(THREAD_BOOTSTRAP, {
    eval: true,
    workerData,
    name: `cloudsync-ldap-${operation.kind}`,
    // None of the process's flags (--cpu-prof, --inspect, --max-old-space-size) belong to this thread.
    execArgv: [],
    resourceLimits,
  });
  const inbox: ImportThreadMessage[] = [];
  let crash: Error | undefined;
  let exited = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  worker.on('message', (message: ImportThreadMessage) => {
    inbox.push(message);
    notify();
  });
  // An uncaught error on the thread, including ERR_WORKER_OUT_OF_MEMORY from the resource limits. Without this
  // listener Node would rethrow it here and end the process.
  worker.on('error', (error) => {
    crash ??= new Error(`the LDAP import thread failed: ${error.message}`, { cause: error });
    notify();
  });
  worker.on('exit', () => {
    exited = true;
    notify();
  });
  const onAbort = () => notify();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      signal?.throwIfAborted();
      const message = inbox.shift();
      if (message === undefined) {
        if (crash !== undefined) throw crash;
        if (exited) throw new Error('the LDAP import thread ended before the import did');
        await new Promise<void>((resolve) => { wake = resolve; });
        continue;
      }
      if (message.type === 'end') return;
      if (message.type === 'error') throw rebuiltError(message.error);
      // Taken by the consumer from here on: the thread may post one more.
      worker.postMessage({ type: 'credit' } satisfies ImportThreadCommand);
      const batch = deserialize(message.bytes) as ImportBatch;
      settle(batch.objects, message.bytes.buffer);
      yield batch;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Whatever the way out (done, error, break, abort): the thread and its LDAP session end before we return.
    await worker.terminate();
  }
}

/**
 * An LDAP source connector with its imports on a thread; the other operations run on `inProcess`, the ordinary
 * connector built from the same spec.
 */
export class ThreadedImportConnector implements SourceConnector {
  readonly #spec: LdapConnectorSpec;
  readonly inProcess: SourceConnector;
  readonly capabilities: SourceCapabilities;

  constructor(spec: LdapConnectorSpec) {
    // Built first so that bad options (a URL that is not ldap://, an unreadable CA file) fail here, on the caller's
    // thread, as they do without threads.
    this.inProcess = createLdapConnector(spec);
    this.#spec = spec;
    this.capabilities = this.inProcess.capabilities;
  }

  fullImport(options?: ImportOptions): AsyncIterable<ImportBatch> {
    return importOnThread(this.#spec, { kind: 'fullImport' }, options);
  }

  deltaImport(watermark: Watermark, options?: ImportOptions): AsyncIterable<ImportBatch> {
    return importOnThread(this.#spec, { kind: 'deltaImport', watermark }, options);
  }

  readObject(dn: string, options?: ReadObjectOptions): Promise<SourceObject | undefined> {
    return this.inProcess.readObject(dn, options);
  }

  readValues(dn: string, attribute: string, options?: { readonly chunkSize?: number; readonly signal?: AbortSignal }): AsyncIterable<readonly Value[]> {
    return this.inProcess.readValues(dn, attribute, options);
  }

  listAnchors(options?: ImportOptions): AsyncIterable<readonly string[]> {
    return this.inProcess.listAnchors(options);
  }

  /** On the caller's thread: a hint per change is no work to move. */
  changeNotifications(options: ChangeNotificationOptions): Promise<boolean> {
    return this.inProcess.changeNotifications?.(options) ?? Promise.resolve(false);
  }

  close(): Promise<void> {
    return this.inProcess.close();
  }
}

/**
 * Where an LDAP source's imports run: on the caller's thread (the default) or on a thread of their own. Not the
 * thread by default: it adds ~95 MB of resident memory (its own V8 instance, modules and malloc arena), which takes a
 * 200,000-user sync to 544–565 MB against the service's 512 MB budget, and it gains nothing on AD, where the server's
 * own work dominates (docs/connectors.md, "Imports on a thread").
 */
export const IMPORT_LOCATIONS = ['thread', 'inProcess'] as const;
export type ImportLocation = (typeof IMPORT_LOCATIONS)[number];

/** The LDAP source connector `spec` describes, with its imports where `imports` says. */
export function ldapSourceConnector(spec: LdapConnectorSpec, options: { readonly imports?: ImportLocation } = {}): SourceConnector {
  const imports = options.imports ?? 'inProcess';
  if (!(IMPORT_LOCATIONS as readonly string[]).includes(imports)) throw new TypeError(`imports must be one of ${IMPORT_LOCATIONS.join(', ')}, got ${String(imports)}`);
  return imports === 'thread' ? new ThreadedImportConnector(spec) : createLdapConnector(spec);
}
