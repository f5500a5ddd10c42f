/**
 * What the export step writes and remembers: mapped Values turned into the target's JSON, their digests, and the
 * comparison of a desired value with a cloud object's current one.
 *
 * The connector space keeps a digest per target attribute (not the values): enough to know which attributes
 * changed since the last export without storing a copy of every object. (A digest of the whole map was stored too
 * until it showed as ~5% of a full sync's engine thread: nothing ever compared it.)
 */
import { hash } from 'node:crypto';
import { isReference, type Scalar, type Value } from '../expressions/value.ts';
import type { TargetValue } from './target-directory.ts';

function scalarJson(scalar: Scalar): string | number | boolean {
  if (typeof scalar === 'string' || typeof scalar === 'boolean' || typeof scalar === 'number') return scalar;
  if (typeof scalar === 'bigint') return scalar.toString();
  if (scalar instanceof Uint8Array) return Buffer.from(scalar).toString('base64');
  if (scalar instanceof Date) return scalar.toISOString();
  if (isReference(scalar)) return scalar.dn;
  throw new TypeError(`not an expression value: ${Object.prototype.toString.call(scalar)}`);
}

export function toTargetJson(value: Value): TargetValue {
  if (value === null) return null;
  if (Array.isArray(value)) return (value as readonly Scalar[]).map((s) => String(scalarJson(s)));
  return scalarJson(value as Scalar);
}

/** The digest of no value: what an attribute a create left out was exported as. */
export const EMPTY_DIGEST = '=null';

export function digestOf(text: string): string {
  // one-shot hash(): a third of createHash().update().digest()'s cost, which showed in full-sync profiles
  return hash('sha256', text, 'base64url').slice(0, 22);
}

/**
 * What JSON.stringify escapes in a string. ECMA-262, QuoteJSONString: the code points `"` and `\`, those below
 * U+0020, and "a leading surrogate or trailing surrogate" left unpaired by StringToCodePoints. Widened here to every
 * surrogate: a string with none of these is its own JSON between quotes.
 */
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * JSON.stringify(value), with the usual case (a string with nothing to escape) quoted directly: a full sync digests
 * ~14 values per object, and JSON.stringify's per-call cost for short strings was most of valueDigest's own time.
 */
function jsonText(value: TargetValue): string {
  if (typeof value === 'string' && !NEEDS_ESCAPING.test(value)) return `"${value}"`;
  return JSON.stringify(value);
}

export function valueDigest(value: TargetValue): string {
  // every empty form (null, '', []) is one state, as differs() sees it
  if (isEmpty(value)) return EMPTY_DIGEST;
  const text = jsonText(value);
  // A short value is its own digest ('=' cannot start a base64url digest): exact, and no hashing for the
  // department, title and flag attributes that make up most of an object.
  return text.length <= 22 ? `=${text}` : digestOf(text);
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/** Whether the cloud's `current` differs from `desired` (empty forms are equal; text compares exactly). */
export function differs(current: unknown, desired: TargetValue): boolean {
  if (isEmpty(current) && isEmpty(desired)) return false;
  if (isEmpty(current) !== isEmpty(desired)) return true;
  if (Array.isArray(desired)) {
    const list = Array.isArray(current) ? current.map(String) : [String(current)];
    return list.length !== desired.length || list.some((v, i) => v !== desired[i]);
  }
  if (Array.isArray(current)) return current.length !== 1 || String(current[0]) !== String(desired);
  if (typeof desired === 'boolean') return current !== desired;
  return String(current) !== String(desired);
}

/** A value as the provisioning log shows it. */
export function logText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.length === 0 ? null : JSON.stringify(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
