/**
 * RFC 2849 "The LDAP Data Interchange Format (LDIF)", the subset exports contain (ldifde -f, ldapsearch -LLL,
 * slapcat) plus change records (ldifde writes `changetype: add`; modify/delete/moddn are parsed for completeness).
 *
 *   ldif-file           = ldif-content / ldif-changes
 *   ldif-content        = version-spec 1*(1*SEP ldif-attrval-record)
 *   ldif-attrval-record = dn-spec SEP 1*attrval-spec
 *   ldif-change-record  = dn-spec SEP *control changerecord
 *   dn-spec             = "dn:" (FILL distinguishedName / ":" FILL base64-distinguishedName)
 *   attrval-spec        = AttributeDescription value-spec SEP
 *   value-spec          = ":" (FILL 0*1(SAFE-STRING) / ":" FILL (BASE64-STRING) / "<" FILL url)
 *   changerecord        = "changetype:" FILL (change-add / change-delete / change-modify / change-moddn)
 *
 * Note 2 of §2: "Any line that begins with a single space is a continuation of the previous (non-empty) line";
 * comments are lines starting with "#" (and their continuations). Records are separated by one or more empty
 * lines. The version line is optional here because ldapsearch -LLL omits it.
 *
 * Values are kept as written: text (`:`) as a string, base64 (`::`) as bytes, because only the consumer knows the
 * attribute's syntax (objectGUID must stay bytes; a base64 displayName with non-ASCII letters is UTF-8 text).
 * Every error is ERR_LDIF_SYNTAX naming the 1-based line where the offending (unfolded) line starts.
 */
import { readFileSync, createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CloudsyncError } from '../../errors/index.ts';

export type LdifValue = string | Uint8Array;

export const LDIF_CHANGE_TYPES = ['add', 'delete', 'modify', 'modrdn', 'moddn'] as const;
export type LdifChangeType = (typeof LDIF_CHANGE_TYPES)[number];

export interface LdifModification {
  readonly operation: 'add' | 'delete' | 'replace';
  readonly attribute: string;
  readonly values: readonly LdifValue[];
}

export interface LdifRecord {
  /** 1-based line of the `dn:` line. */
  readonly line: number;
  readonly dn: string;
  /** undefined for content records (an export without changetype lines). */
  readonly changeType: LdifChangeType | undefined;
  /** Attributes in file order, names as written; for content/add records. */
  readonly attributes: ReadonlyMap<string, readonly LdifValue[]>;
  readonly modifications?: readonly LdifModification[];
  readonly newRdn?: string;
  readonly deleteOldRdn?: boolean;
  readonly newSuperior?: string;
}

interface Line { readonly text: string; readonly line: number }

const ATTRIBUTE_DESCRIPTION = /^([A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)((?:;[A-Za-z0-9-]+)*)$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function syntaxError(source: string, line: number, message: string): CloudsyncError {
  return new CloudsyncError('ERR_LDIF_SYNTAX', `${source} line ${line}: ${message}`, { path: source, details: { line } });
}

/** Splits an unfolded line into attribute description and value. */
function parseAttrval(source: string, { text, line }: Line, baseDir: string | undefined): { name: string; value: LdifValue } {
  const colon = text.indexOf(':');
  if (colon <= 0) throw syntaxError(source, line, `expected "attribute: value", got ${JSON.stringify(text.slice(0, 60))}`);
  const name = text.slice(0, colon);
  if (!ATTRIBUTE_DESCRIPTION.test(name)) throw syntaxError(source, line, `${JSON.stringify(name)} is not an attribute description`);
  const rest = text.slice(colon + 1);
  if (rest.startsWith(':')) {
    const b64 = rest.slice(1).trim();
    if (!BASE64.test(b64) || b64.length % 4 === 1) throw syntaxError(source, line, `the base64 value of ${name} is not valid base64`);
    return { name, value: new Uint8Array(Buffer.from(b64, 'base64')) };
  }
  if (rest.startsWith('<')) {
    const url = rest.slice(1).trim();
    if (!url.startsWith('file://')) throw syntaxError(source, line, `only file:// URLs are supported for ${name}, got ${JSON.stringify(url)}`);
    try {
      const path = url.startsWith('file:///') ? fileURLToPath(url) : `${baseDir ?? '.'}/${url.slice('file://'.length)}`;
      return { name, value: new Uint8Array(readFileSync(path)) };
    } catch (error) {
      throw new CloudsyncError('ERR_LDIF_SYNTAX', `${source} line ${line}: cannot read ${url} for ${name} (${(error as Error).message})`, { path: source, details: { line }, cause: error });
    }
  }
  // SAFE-STRING: FILL (spaces) is not part of the value; a value with leading space must be base64-encoded.
  const value = rest.replace(/^ +/, '');
  return { name, value };
}

const decoder = new TextDecoder('utf-8', { fatal: true });
function asText(source: string, line: number, what: string, value: LdifValue): string {
  if (typeof value === 'string') return value;
  try {
    return decoder.decode(value);
  } catch {
    throw syntaxError(source, line, `${what} is not UTF-8`);
  }
}

/**
 * Incremental parser: feed physical lines with push(), then end(). Holds one record at a time, so a 200 MB
 * export streams in constant memory.
 */
export class LdifParser {
  readonly #source: string;
  readonly #baseDir: string | undefined;
  #lineNo = 0;
  #current: Line | undefined;
  #inComment = false;
  #record: Line[] = [];
  #sawRecord = false;
  #ready: LdifRecord[] = [];

  constructor(options: { source?: string; baseDir?: string } = {}) {
    this.#source = options.source ?? 'LDIF';
    this.#baseDir = options.baseDir;
  }

  push(physical: string): void {
    this.#lineNo++;
    const text = physical.endsWith('\r') ? physical.slice(0, -1) : physical;
    if (text.startsWith(' ')) {
      if (this.#inComment) return;
      if (!this.#current) throw syntaxError(this.#source, this.#lineNo, 'a continuation line (starting with a space) must follow a non-empty line');
      this.#current = { text: this.#current.text + text.slice(1), line: this.#current.line };
      return;
    }
    this.#flushLine();
    this.#inComment = false;
    if (text.startsWith('#')) {
      this.#inComment = true;
      return;
    }
    if (text === '') {
      this.#flushRecord();
      return;
    }
    this.#current = { text, line: this.#lineNo };
  }

  /** Records completed so far (and forgets them). */
  take(): LdifRecord[] {
    const out = this.#ready;
    this.#ready = [];
    return out;
  }

  end(): LdifRecord[] {
    this.#flushLine();
    this.#flushRecord();
    return this.take();
  }

  #flushLine(): void {
    if (this.#current) this.#record.push(this.#current);
    this.#current = undefined;
  }

  #flushRecord(): void {
    const lines = this.#record;
    this.#record = [];
    if (lines.length === 0) return;
    let first = lines[0]!;
    if (!this.#sawRecord && /^version:/i.test(first.text)) {
      const version = first.text.slice('version:'.length).trim();
      if (version !== '1') throw syntaxError(this.#source, first.line, `unsupported LDIF version ${JSON.stringify(version)} (only 1)`);
      lines.shift();
      if (lines.length === 0) return;
      first = lines[0]!;
    }
    // Plain `ldapsearch` (without -LLL) ends its output with a "search: N / result: 0 Success" block: not an entry.
    if (/^search:\s*\d+$/i.test(first.text) && lines.some((l) => /^result:/i.test(l.text))) return;
    this.#sawRecord = true;
    this.#ready.push(this.#parseRecord(lines));
  }

  #parseRecord(lines: Line[]): LdifRecord {
    const source = this.#source;
    const dnLine = lines[0]!;
    const dnSpec = parseAttrval(source, dnLine, undefined);
    if (dnSpec.name.toLowerCase() !== 'dn') throw syntaxError(source, dnLine.line, `a record must start with "dn:", got ${JSON.stringify(dnSpec.name + ':')}`);
    const dn = asText(source, dnLine.line, 'the DN', dnSpec.value);
    let i = 1;
    while (i < lines.length && /^control:/i.test(lines[i]!.text)) i++;
    let changeType: LdifChangeType | undefined;
    if (i < lines.length && /^changetype:/i.test(lines[i]!.text)) {
      const type = lines[i]!.text.slice('changetype:'.length).trim().toLowerCase();
      if (!(LDIF_CHANGE_TYPES as readonly string[]).includes(type)) {
        throw syntaxError(source, lines[i]!.line, `unknown changetype ${JSON.stringify(type)} (expected ${LDIF_CHANGE_TYPES.join(', ')})`);
      }
      changeType = type as LdifChangeType;
      i++;
    }
    const body = lines.slice(i);
    const base = { line: dnLine.line, dn, changeType };
    switch (changeType) {
      case undefined:
      case 'add': {
        if (body.length === 0) throw syntaxError(source, dnLine.line, `the entry ${dn} has no attributes`);
        const attributes = new Map<string, LdifValue[]>();
        for (const line of body) {
          const { name, value } = parseAttrval(source, line, this.#baseDir);
          const key = [...attributes.keys()].find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
          const list = attributes.get(key) ?? [];
          list.push(value);
          attributes.set(key, list);
        }
        return { ...base, attributes };
      }
      case 'delete':
        if (body.length > 0) throw syntaxError(source, body[0]!.line, 'a delete record has no attributes');
        return { ...base, attributes: new Map() };
      case 'modrdn':
      case 'moddn': {
        const fields = new Map(body.map((l) => { const { name, value } = parseAttrval(source, l, undefined); return [name.toLowerCase(), { value, line: l.line }]; }));
        const newRdn = fields.get('newrdn');
        if (!newRdn) throw syntaxError(source, dnLine.line, `a ${changeType} record needs newrdn`);
        const del = fields.get('deleteoldrdn');
        const sup = fields.get('newsuperior');
        return {
          ...base,
          attributes: new Map(),
          newRdn: asText(source, newRdn.line, 'newrdn', newRdn.value),
          deleteOldRdn: del ? asText(source, del.line, 'deleteoldrdn', del.value).trim() === '1' : false,
          ...(sup ? { newSuperior: asText(source, sup.line, 'newsuperior', sup.value) } : {}),
        };
      }
      case 'modify': {
        const modifications: LdifModification[] = [];
        let j = 0;
        while (j < body.length) {
          const head = body[j]!;
          const { name: op, value } = parseAttrval(source, head, undefined);
          const operation = op.toLowerCase();
          if (operation !== 'add' && operation !== 'delete' && operation !== 'replace') {
            throw syntaxError(source, head.line, `expected add:, delete: or replace:, got ${JSON.stringify(op + ':')}`);
          }
          const attribute = asText(source, head.line, 'the attribute name', value).trim();
          const values: LdifValue[] = [];
          j++;
          while (j < body.length && body[j]!.text !== '-') {
            const spec = parseAttrval(source, body[j]!, this.#baseDir);
            if (spec.name.toLowerCase() !== attribute.toLowerCase()) {
              throw syntaxError(source, body[j]!.line, `expected a value of ${attribute} or "-", got ${JSON.stringify(spec.name)}`);
            }
            values.push(spec.value);
            j++;
          }
          if (j >= body.length) throw syntaxError(source, head.line, `the ${operation} of ${attribute} is not closed by a "-" line`);
          j++;
          modifications.push({ operation, attribute, values });
        }
        return { ...base, attributes: new Map(), modifications };
      }
    }
  }
}

/** Parses a whole LDIF text. */
export function parseLdif(text: string, options: { source?: string; baseDir?: string } = {}): LdifRecord[] {
  const parser = new LdifParser(options);
  const lines = text.split('\n');
  // A trailing newline does not start an extra (empty) line.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const out: LdifRecord[] = [];
  for (const line of lines) {
    parser.push(line);
    out.push(...parser.take());
  }
  out.push(...parser.end());
  return out;
}

/** Streams the records of an LDIF file. */
export async function* readLdifFile(path: string): AsyncGenerator<LdifRecord> {
  const parser = new LdifParser({ source: path, baseDir: path.replace(/\/[^/]*$/, '') || '.' });
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      parser.push(line);
      yield* parser.take();
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') {
      throw new CloudsyncError('ERR_CLI_FILE', `the LDIF file ${path} does not exist`, { path, cause: error });
    }
    throw error;
  } finally {
    lines.close();
  }
  yield* parser.end();
}
