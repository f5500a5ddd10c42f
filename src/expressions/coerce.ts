/**
 * Conversions between expression values that functions share, so every function renders a boolean, a number
 * or a date the same way.
 *
 * Entra's engine is .NET: values become strings the way `CStr` documents it ("Can be a numeric value,
 * reference attribute, or Boolean") — booleans as `True`/`False`, references as their DN, numbers in
 * invariant culture, DateTimes as `M/d/yyyy h:mm:ss tt` in UTC ("The returned string is always in UTC and
 * follows the format M/d/yyyy h:mm:ss tt", CDate/Now/DateAdd). Binary values have no string form; functions
 * asked to treat one as text fail with an error that names them.
 */
import { evaluationError } from './function-definition.ts';
import { isReference, type Scalar, type Value } from './value.ts';

/** `M/d/yyyy h:mm:ss tt`, always UTC (CDate, Now, DateAdd). */
export function formatEntraDateTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new TypeError('formatEntraDateTime: invalid Date');
  const hours = date.getUTCHours();
  const h12 = hours % 12 === 0 ? 12 : hours % 12;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()} ${h12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

export function formatNumber(value: number | bigint): string {
  if (typeof value === 'bigint') return value.toString();
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  return /e/i.test(String(value)) ? value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 }) : String(value);
}

/** The string form of a scalar, or undefined for binary (which has none). */
export function scalarText(value: Scalar): string | undefined {
  switch (typeof value) {
    case 'string': return value;
    case 'number':
    case 'bigint': return formatNumber(value);
    case 'boolean': return value ? 'True' : 'False';
    default:
      if (value instanceof Date) return formatEntraDateTime(value);
      if (isReference(value)) return value.dn;
      return undefined;
  }
}

/** A scalar as text for `functionName`; binary is an evaluation error naming the function. */
export function textOf(functionName: string, value: Scalar): string {
  const text = scalarText(value);
  if (text === undefined) {
    throw evaluationError(functionName, `expected text but got a binary value (${(value as Uint8Array).length} bytes); convert it first, e.g. with StringFromSid or ConvertToBase64`);
  }
  return text;
}

/**
 * A single-valued argument as text: null stays null, a one-element multi-valued value is its element, a
 * multi-valued value with more is an error (the caller wanted one string, and picking one silently would
 * make results depend on the directory's value order).
 */
export function singleText(functionName: string, parameter: string, value: Value): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) {
    if (value.length === 1) return textOf(functionName, value[0] as Scalar);
    throw evaluationError(functionName, `${parameter} must be single-valued but has ${value.length} values (${preview(value)}); pick one with Item or combine them with Join`);
  }
  return textOf(functionName, value as Scalar);
}

/**
 * Applies a string transformation to every value: Entra's Trim "Removes leading and trailing spaces for each
 * value in the proxyAddress attribute", and the other string transformations behave alike. Null stays null.
 */
export function mapText(functionName: string, value: Value, transform: (text: string) => string): Value {
  if (value === null) return null;
  if (Array.isArray(value)) {
    const out: string[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = transform(textOf(functionName, value[i] as Scalar));
    return out;
  }
  return transform(textOf(functionName, value as Scalar));
}

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;

/**
 * An integer argument (counts, positions, bit masks). Accepts numbers, bigints and integer text, because
 * directory attributes such as userAccountControl often arrive as strings.
 */
export function integerOf(functionName: string, parameter: string, value: Value): number {
  const scalar = Array.isArray(value) && value.length === 1 ? (value[0] as Scalar) : value;
  if (typeof scalar === 'number' && Number.isInteger(scalar)) return scalar;
  if (typeof scalar === 'bigint' && scalar >= BigInt(Number.MIN_SAFE_INTEGER) && scalar <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(scalar);
  if (typeof scalar === 'string' && INTEGER_TEXT.test(scalar)) {
    const n = Number(scalar);
    if (Number.isSafeInteger(n)) return n;
  }
  throw evaluationError(functionName, `${parameter} must be an integer but is ${describeValue(value)}`);
}

/** Like integerOf, but keeps the full 64-bit range (BitAnd over Int64 flags). */
export function bigIntegerOf(functionName: string, parameter: string, value: Value): bigint {
  const scalar = Array.isArray(value) && value.length === 1 ? (value[0] as Scalar) : value;
  if (typeof scalar === 'bigint') return scalar;
  if (typeof scalar === 'number' && Number.isInteger(scalar)) return BigInt(scalar);
  if (typeof scalar === 'string' && INTEGER_TEXT.test(scalar)) return BigInt(scalar.trim());
  throw evaluationError(functionName, `${parameter} must be an integer but is ${describeValue(value)}`);
}

/**
 * Truth of a condition (IIF, CBool, Not). Booleans are themselves; numbers are true when non-zero ("If the
 * expression evaluates to a non-zero value, then CBool returns True"); text "True"/"False" in any case, or
 * numeric text. Null is False: Entra's IIF "condition check fails" on null or empty values, a documented
 * defect we fix. Returns undefined for values that have no truth value.
 */
export function truthOf(value: Value): boolean | undefined {
  const scalar = Array.isArray(value) && value.length === 1 ? (value[0] as Scalar) : value;
  if (scalar === null) return false;
  switch (typeof scalar) {
    case 'boolean': return scalar;
    case 'number': return scalar !== 0 && !Number.isNaN(scalar);
    case 'bigint': return scalar !== 0n;
    case 'string': {
      const text = scalar.trim();
      if (text === '') return false;
      const lower = text.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      const n = Number(text);
      return Number.isNaN(n) ? undefined : n !== 0;
    }
    default: return undefined;
  }
}

export function isNullOrEmpty(value: Value): boolean {
  if (value === null || value === '') return true;
  if (Array.isArray(value)) return value.every((v) => v === '');
  return false;
}

/** For error messages: the value, shortened, with its kind. Never used for redacted expressions' logs. */
export function describeValue(value: Value): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a multi-valued value (${preview(value)})`;
  const scalar = value as Scalar;
  if (scalar instanceof Uint8Array) return `a binary value (${scalar.length} bytes)`;
  const text = scalarText(scalar) ?? '';
  const shown = text.length > 60 ? `${text.slice(0, 57)}…` : text;
  return typeof scalar === 'string' ? JSON.stringify(shown) : shown;
}

function preview(values: readonly Scalar[]): string {
  const shown = values.slice(0, 3).map((v) => describeValue(v)).join(', ');
  return values.length > 3 ? `${shown}, … ${values.length} in all` : shown;
}

/** Values are compared as .NET compares strings by default (ordinal, case-sensitive) via their text form. */
export function comparableText(value: Scalar): string {
  if (value instanceof Uint8Array) return `base64:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}`;
  return scalarText(value) as string;
}
