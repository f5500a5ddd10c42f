/**
 * A source connector over an LDIF export (ldifde -f, ldapsearch -LLL, slapcat, scripts/generate-sample-ad.ts):
 * offline simulation, the demo, and tests of the engine without a directory server.
 *
 * - Content records and `changetype: add` records are objects; other change records are ignored (an export is a
 *   snapshot, not a change log).
 * - Values are typed with the well-known attribute table (an LDIF file carries no schema): objectGUID and
 *   friends stay bytes, member/manager become DnReferences, base64 text becomes a string again.
 * - Delta: a file is a snapshot, so there is no change tracking (`deltaImport: false`). deltaImport still honours
 *   the contract: if the file is unchanged since the watermark (SHA-256 of its bytes) nothing is reported;
 *   otherwise every object is reported and the engine reconciles deletions with listAnchors().
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { CloudsyncError } from '../../errors/index.ts';
import { normalizeValue, type Value } from '../../expressions/value.ts';
import { toValue, WELL_KNOWN_ATTRIBUTES, type AttributeSchema } from '../attribute-syntax.ts';
import { dnKey, isUnder, parentDn, sameDn } from '../distinguished-name.ts';
import { formatGuid } from '../guid.ts';
import { classifyObjectType } from '../object-type.ts';
import {
  DEFAULT_BATCH_SIZE,
  defaultAnchorOf,
  type AnchorCandidates,
  type ImportBatch,
  type ImportOptions,
  type SourceCapabilities,
  type SourceConnector,
  type SourceObject,
  type Watermark,
} from '../source-connector.ts';
import { readLdifFile, type LdifRecord, type LdifValue } from './ldif-parser.ts';
import { deferLarge } from '../deferred-attributes.ts';

export interface LdifConnectorOptions {
  readonly file: string;
  /** Only objects at or below these DNs (default: all). */
  readonly containers?: readonly string[];
  /** Attribute typing (default: the built-in well-known table). */
  readonly schema?: AttributeSchema;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Files up to this size are indexed in memory for single-object reads (the bundled sample is ~1.3 MB). */
const INDEX_LIMIT = 32 * 1024 * 1024;

/** One LDIF record → SourceObject; undefined for records that are not a synced type. */
export function ldifRecordToObject(record: LdifRecord, schema: AttributeSchema = WELL_KNOWN_ATTRIBUTES): SourceObject | undefined {
  if (record.changeType !== undefined && record.changeType !== 'add') return undefined;
  const text = (v: LdifValue): string | Uint8Array => {
    if (typeof v === 'string') return v;
    try { return decoder.decode(v); } catch { return v; }
  };
  const attributes: Record<string, Value> = {};
  let objectClasses: string[] = [];
  for (const [name, raw] of record.attributes) {
    const info = schema.lookup(name);
    const values = info?.syntax === 'binary' ? raw : raw.map(text);
    if (name.toLowerCase() === 'objectclass') objectClasses = values.map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString('utf8')));
    const value = normalizeValue(toValue(values, info));
    if (value !== null) attributes[name] = value;
  }
  const type = classifyObjectType(objectClasses);
  if (!type) return undefined;
  const find = (lower: string) => [...record.attributes.entries()].find(([n]) => n.toLowerCase() === lower)?.[1]?.[0];
  const guid = find('objectguid');
  const guidBytes = guid === undefined ? undefined : typeof guid === 'string' ? undefined : guid;
  const consistency = find('ms-ds-consistencyguid');
  const entryUuid = find('entryuuid');
  const anchors: AnchorCandidates = {
    ...(guidBytes && guidBytes.length === 16 ? { objectGuid: formatGuid(guidBytes), objectGuidBytes: guidBytes } : {}),
    ...(consistency instanceof Uint8Array && consistency.length > 0 ? { consistencyGuid: consistency } : {}),
    ...(typeof entryUuid === 'string' ? { entryUuid } : {}),
  };
  const isDeleted = String(find('isdeleted') ?? '').toUpperCase() === 'TRUE';
  const usn = find('usnchanged');
  const csn = find('entrycsn');
  return {
    type,
    objectClasses,
    dn: record.dn,
    parentDn: parentDn(record.dn),
    anchors,
    attributes,
    isDeleted,
    ...(typeof usn === 'string' && /^\d+$/.test(usn) ? { usnChanged: BigInt(usn) } : {}),
    ...(typeof csn === 'string' ? { entryCsn: csn } : {}),
  };
}

export class LdifConnector implements SourceConnector {
  readonly capabilities: SourceCapabilities = Object.freeze({
    deltaImport: false,
    deltaReportsDeletions: false,
    deltaReportsRenames: false,
    incrementalValues: false,
    anchorListing: true,
    defaultAnchor: 'objectGUID',
  });

  readonly #options: LdifConnectorOptions;
  #cached: { readonly key: string; readonly objects: ReadonlyMap<string, SourceObject> } | undefined;

  constructor(options: LdifConnectorOptions) {
    if (typeof options.file !== 'string' || options.file === '') throw new TypeError('LdifConnectorOptions.file is required');
    this.#options = options;
  }

  #check(): void {
    try {
      statSync(this.#options.file);
    } catch (error) {
      throw new CloudsyncError('ERR_CLI_FILE', `the LDIF file ${this.#options.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { path: this.#options.file, cause: error });
    }
  }

  async #digest(): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(this.#options.file)) hash.update(chunk as Buffer);
    return hash.digest('base64url');
  }

  async *#objects(): AsyncGenerator<SourceObject> {
    this.#check();
    const containers = this.#options.containers ?? [];
    for await (const record of readLdifFile(this.#options.file)) {
      if (containers.length > 0 && !containers.some((c) => isUnder(record.dn, c))) continue;
      const object = ldifRecordToObject(record, this.#options.schema);
      if (object) yield object;
    }
  }

  async *#batches(options: ImportOptions, watermark: Watermark): AsyncGenerator<ImportBatch> {
    const size = options.batchSize ?? DEFAULT_BATCH_SIZE;
    let batch: SourceObject[] = [];
    let pending: SourceObject[] | undefined;
    for await (const found of this.#objects()) {
      options.signal?.throwIfAborted();
      const object = options.maxInlineValues === undefined ? found : deferLarge(found, options.maxInlineValues, []);
      batch.push(object);
      if (batch.length >= size) {
        if (pending) yield { objects: pending };
        pending = batch;
        batch = [];
      }
    }
    if (batch.length > 0) {
      if (pending) yield { objects: pending };
      pending = batch;
    }
    yield { objects: pending ?? [], watermark };
  }

  async *fullImport(options: ImportOptions = {}): AsyncGenerator<ImportBatch> {
    this.#check();
    yield* this.#batches(options, JSON.stringify({ v: 1, kind: 'ldif', sha256: await this.#digest() }));
  }

  async *deltaImport(watermark: Watermark, options: ImportOptions = {}): AsyncGenerator<ImportBatch> {
    this.#check();
    let parsed: { v?: unknown; kind?: unknown; sha256?: unknown } | undefined;
    try { parsed = JSON.parse(watermark) as typeof parsed; } catch { parsed = undefined; }
    if (parsed?.v !== 1 || parsed.kind !== 'ldif' || typeof parsed.sha256 !== 'string') {
      throw new CloudsyncError('ERR_CONFIG_INVALID', 'the watermark is not an LDIF source watermark; run a full import to get one', { path: 'watermark' });
    }
    const current = JSON.stringify({ v: 1, kind: 'ldif', sha256: await this.#digest() });
    if (current === watermark) {
      yield { objects: [], watermark };
      return;
    }
    yield* this.#batches(options, current);
  }

  async readObject(dn: string): Promise<SourceObject | undefined> {
    const index = await this.#index();
    if (index !== undefined) return index.objects.get(dnKey(dn));
    // O(file) per read for files too large to index
    for await (const object of this.#objects()) if (sameDn(object.dn, dn)) return object;
    return undefined;
  }

  /**
   * DN → object of a file up to INDEX_LIMIT bytes, rebuilt when the file changes. Reference resolution reads one
   * object per pending reference (a group's members, each user's manager): without it the 1,000-user sample was
   * parsed a thousand times per cycle.
   */
  async #index(): Promise<{ readonly key: string; readonly objects: ReadonlyMap<string, SourceObject> } | undefined> {
    this.#check();
    const stats = statSync(this.#options.file);
    if (stats.size > INDEX_LIMIT) return undefined;
    const key = `${stats.size}:${stats.mtimeMs}:${stats.ino}`;
    if (this.#cached?.key === key) return this.#cached;
    const objects = new Map<string, SourceObject>();
    for await (const object of this.#objects()) objects.set(dnKey(object.dn), object);
    this.#cached = { key, objects };
    return this.#cached;
  }

  async *readValues(dn: string, attribute: string, options: { chunkSize?: number; signal?: AbortSignal } = {}): AsyncGenerator<readonly Value[]> {
    const object = await this.readObject(dn);
    const name = object ? Object.keys(object.attributes).find((n) => n.toLowerCase() === attribute.toLowerCase()) : undefined;
    const value = name === undefined ? undefined : object!.attributes[name];
    if (value === undefined || value === null) return;
    const all = (Array.isArray(value) ? value : [value]) as Value[];
    const size = options.chunkSize ?? 1000;
    for (let i = 0; i < all.length; i += size) {
      options.signal?.throwIfAborted();
      yield all.slice(i, i + size);
    }
  }

  async *listAnchors(options: ImportOptions = {}): AsyncGenerator<readonly string[]> {
    const size = options.batchSize ?? DEFAULT_BATCH_SIZE;
    let page: string[] = [];
    for await (const object of this.#objects()) {
      page.push(defaultAnchorOf(object));
      if (page.length >= size) { yield page; page = []; }
    }
    if (page.length > 0) yield page;
  }

  async close(): Promise<void> {}
}
