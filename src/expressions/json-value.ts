/**
 * Values as JSON, for the CLI (`--attributes`, `{"value": …}`), the HTTP API and the function examples.
 *
 *   JSON in                                  Value                  JSON out
 *   null                                     null                   null
 *   "text"                                   string                 "text"
 *   "base64:SGk="                            Uint8Array (binary)    "base64:SGk="
 *   12, 1.5                                  number                 12, 1.5
 *   129699324000000000 (as bigint) / too big bigint                 "129699324000000000" when beyond 2^53
 *   true / false                             boolean                true / false
 *   {"dn": "CN=Joe,DC=contoso,DC=com"}       DN reference           "CN=Joe,DC=contoso,DC=com"
 *   [ … ] (scalars only; [] is null)         multi-valued           [ … ]
 *   —                                        Date                   "M/d/yyyy h:mm:ss tt" (UTC)
 *
 * Dates render the way Entra renders DateTime results ("The returned string is always in UTC and follows the
 * format M/d/yyyy h:mm:ss tt"). Integers beyond 2^53 cannot be JSON numbers without losing digits, so they
 * render as strings of digits; the CLI parses big input integers exactly (see cli/commands/expression.ts).
 */
import { CloudsyncError } from '../errors/index.ts';
import { formatEntraDateTime } from './coerce.ts';
import { isReference, reference, type Scalar, type Value } from './value.ts';

export const BINARY_PREFIX = 'base64:';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function valueFromJson(json: unknown, path = 'value'): Value {
  if (json === null || json === undefined) return null;
  if (Array.isArray(json)) {
    const values: Scalar[] = [];
    json.forEach((item, index) => {
      if (item === null || Array.isArray(item)) {
        throw invalid(`${path}[${index}]`, item === null ? 'null inside a multi-valued value' : 'an array inside a multi-valued value');
      }
      values.push(scalarFromJson(item, `${path}[${index}]`));
    });
    return values.length === 0 ? null : values;
  }
  return scalarFromJson(json, path);
}

function scalarFromJson(json: unknown, path: string): Scalar {
  switch (typeof json) {
    case 'string': {
      if (!json.startsWith(BINARY_PREFIX)) return json;
      const encoded = json.slice(BINARY_PREFIX.length);
      if (!BASE64.test(encoded)) {
        throw new CloudsyncError('ERR_EXPR_ARGUMENT_TYPE', `${path}: "${BINARY_PREFIX}…" must be followed by standard padded base64`, { path });
      }
      return new Uint8Array(Buffer.from(encoded, 'base64'));
    }
    case 'number':
      if (!Number.isFinite(json)) throw invalid(path, 'a number that is not finite');
      return json;
    case 'bigint':
    case 'boolean':
      return json;
    case 'object': {
      const dn = (json as { dn?: unknown }).dn;
      if (json !== null && typeof dn === 'string' && Object.keys(json).length === 1) return reference(dn);
      if (json instanceof Uint8Array || json instanceof Date || isReference(json)) return json;
      throw invalid(path, 'an object; only {"dn": "…"} (a DN reference) is an object value');
    }
    default:
      throw invalid(path, `a ${typeof json}`);
  }
}

function invalid(path: string, what: string): CloudsyncError {
  return new CloudsyncError(
    'ERR_EXPR_ARGUMENT_TYPE',
    `${path}: expected a string, number, boolean, {"dn": "…"}, "base64:…" or an array of those, got ${what}`,
    { path },
  );
}

export function valueToJson(value: Value): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map((v) => scalarToJson(v as Scalar));
  return scalarToJson(value as Scalar);
}

function scalarToJson(value: Scalar): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
    default:
      if (value instanceof Uint8Array) return BINARY_PREFIX + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
      if (value instanceof Date) return formatEntraDateTime(value);
      if (isReference(value)) return value.dn;
      throw new TypeError(`valueToJson: not an expression value: ${Object.prototype.toString.call(value)}`);
  }
}
