/**
 * Fitting an expression's result to the target attribute's definition.
 *
 * Graph (attributeDefinition): "type — Attribute value type. The possible values are: String, Integer,
 * Reference, Binary, Boolean, DateTime. Default is String." "multivalued — true if an attribute can have
 * multiple values. Default is false."
 *
 * Expressions speak text (IIF(…, "True", "False"), Join, Append): Entra's functions return strings, and the
 * provisioning service converts them for the target. This is that conversion, done once here so that the
 * export sees typed values and a mismatch is an error value naming the attribute, not a failed write later.
 *
 * Rules:
 * - null stays null; an empty multi-value is null.
 * - Boolean ← boolean, or the text "true"/"false" in any case (Entra writes "True").
 * - Integer ← integer number or bigint, or integer text (a bigint beyond 2^53, as FILETIMEs are).
 * - String ← text; numbers in decimal; booleans as "True"/"False"; dates ISO 8601; binary base64; a DN
 *   reference as its DN.
 * - DateTime ← Date, or text Date.parse understands.
 * - Reference ← DN reference, or a DN as text.
 * - Binary ← bytes only.
 * - A single-valued target takes a multi-value of exactly one value; more is an error (Entra: "Filtering is not
 *   supported for multi-valued attributes"; a mapping that yields several values for one is a mistake).
 */
import type { Scalar, Value } from '../expressions/value.ts';
import { isReference, reference } from '../expressions/value.ts';
import { scalarText } from './scoping-filter.ts';
import { ATTRIBUTE_DEFINITION_TYPES, type AttributeDefinition, type AttributeDefinitionType } from './synchronization-schema.ts';

export type TargetValueResult = { readonly ok: true; readonly value: Value } | { readonly ok: false; readonly message: string };

type Converter = (scalar: Scalar) => Scalar | undefined;

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;

const CONVERTERS: Readonly<Record<AttributeDefinitionType, Converter>> = {
  String: (s) => scalarText(s),
  Boolean: (s) => {
    if (typeof s === 'boolean') return s;
    if (typeof s === 'string') {
      const lower = s.trim().toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
    }
    return undefined;
  },
  Integer: (s) => {
    if (typeof s === 'bigint') return Number.isSafeInteger(Number(s)) ? Number(s) : s;
    if (typeof s === 'number') return Number.isInteger(s) ? s : undefined;
    if (typeof s === 'string' && INTEGER_TEXT.test(s)) {
      const big = BigInt(s.trim());
      return Number.isSafeInteger(Number(big)) ? Number(big) : big;
    }
    return undefined;
  },
  DateTime: (s) => {
    if (s instanceof Date) return Number.isNaN(s.getTime()) ? undefined : s;
    if (typeof s === 'string') {
      const time = Date.parse(s);
      return Number.isNaN(time) ? undefined : new Date(time);
    }
    return undefined;
  },
  Reference: (s) => (isReference(s) ? s : typeof s === 'string' && s.trim() !== '' ? reference(s) : undefined),
  Binary: (s) => (s instanceof Uint8Array ? s : undefined),
};

function describe(scalar: Scalar): string {
  if (scalar instanceof Uint8Array) return `${scalar.length} bytes`;
  const text = scalarText(scalar);
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

export function typeOfDefinition(definition: Pick<AttributeDefinition, 'type'>): AttributeDefinitionType {
  const type = definition.type ?? 'String';
  return ATTRIBUTE_DEFINITION_TYPES.find((t) => t.toLowerCase() === type.toLowerCase()) ?? 'String';
}

/** What a fitter returns for a value that does not fit its attribute (the message comes from toTargetValue). */
export const NOT_FITTING: unique symbol = Symbol('not fitting');

export type TargetFitter = (value: Value) => Value | typeof NOT_FITTING;

/**
 * toTargetValue for one definition, resolved once: a mapping set fits ~50 values per object, and the per-call
 * result object, type lookup and `converted` copy were 99 MB of allocation per 20,000 objects. A value that already
 * fits (text for a single-valued String, the commonest case) is returned as it is; so is a multi-value whose every
 * scalar converts to itself — values are immutable, so sharing the input is safe.
 */
export function targetFitter(definition: Pick<AttributeDefinition, 'type' | 'multivalued'>): TargetFitter {
  const type = typeOfDefinition(definition);
  const convert = CONVERTERS[type];
  const multivalued = definition.multivalued === true;
  const fitList = (scalars: readonly Scalar[]): Value | typeof NOT_FITTING => {
    if (scalars.length === 0) return null;
    if (!multivalued) {
      if (scalars.length > 1) return NOT_FITTING;
      return convert(scalars[0] as Scalar) ?? NOT_FITTING;
    }
    let converted: Scalar[] | undefined;
    for (let i = 0; i < scalars.length; i++) {
      const scalar = scalars[i] as Scalar;
      const result = convert(scalar);
      if (result === undefined) return NOT_FITTING;
      if (result !== scalar && converted === undefined) converted = scalars.slice(0, i);
      converted?.push(result);
    }
    return converted ?? scalars;
  };
  const fit = (value: Value): Value | typeof NOT_FITTING => {
    if (value === null) return null;
    if (Array.isArray(value)) return fitList(value as readonly Scalar[]);
    const result = convert(value as Scalar);
    if (result === undefined) return NOT_FITTING;
    return multivalued ? [result] : result;
  };
  if (type === 'String' && !multivalued) return (value) => (typeof value === 'string' ? value : fit(value));
  return fit;
}

/** `redact`: leave the offending value out of the message (a Redact mapping's value must never reach a log). */
export function toTargetValue(
  value: Value,
  definition: Pick<AttributeDefinition, 'name' | 'type' | 'multivalued'>,
  options: { readonly redact?: boolean } = {},
): TargetValueResult {
  const fitted = targetFitter(definition)(value);
  return fitted === NOT_FITTING ? { ok: false, message: mismatchMessage(value, definition, options) } : { ok: true, value: fitted };
}

/** Why `value` does not fit `definition` (only called for a value whose fitter said NOT_FITTING). */
export function mismatchMessage(
  value: Value,
  definition: Pick<AttributeDefinition, 'name' | 'type' | 'multivalued'>,
  options: { readonly redact?: boolean } = {},
): string {
  const type = typeOfDefinition(definition);
  const scalars: readonly Scalar[] = Array.isArray(value) ? (value as readonly Scalar[]) : [value as Scalar];
  if (definition.multivalued !== true && scalars.length > 1) {
    return `${definition.name} is single-valued but the mapping produced ${scalars.length} values`;
  }
  const bad = scalars.find((scalar) => CONVERTERS[type](scalar) === undefined);
  if (bad === undefined) throw new TypeError(`mismatchMessage: ${definition.name} fits its definition`);
  return `${definition.name} is of type ${type}; ${options.redact === true ? 'the (redacted) value' : describe(bad)} is not`;
}
