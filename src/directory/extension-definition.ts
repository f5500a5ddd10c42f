/**
 * A registered directory extension as the directory validates values against it, and the value rules per
 * Graph extensionProperty dataType (limits follow Entra: strings and binaries up to 256, Integer is 32-bit,
 * LargeInteger 64-bit but kept to JavaScript's safe range here, multi-valued up to 1000 values).
 */
import { CloudsyncError } from '../errors/index.ts';
import type { ExtensionDataType } from './directory-object.ts';
import { isStorableText } from './storable-text.ts';

export interface ExtensionDefinition {
  readonly name: string;
  readonly dataType: ExtensionDataType;
  readonly isMultiValued: boolean;
  readonly isSyncedFromOnPremises: boolean;
  readonly targetObjects: readonly string[];
}

const MAX_VALUES = 1000;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function invalid(name: string, message: string, value: unknown): CloudsyncError {
  return new CloudsyncError('ERR_DIR_INVALID_VALUE', `${name}: ${message}`, { path: name, details: { property: name, value } });
}

function normalizeOne(definition: ExtensionDefinition, value: unknown): string | number | boolean {
  const { name, dataType } = definition;
  switch (dataType) {
    case 'String':
      if (typeof value !== 'string') throw invalid(name, 'expected a String', value);
      if (value.length > 256) throw invalid(name, 'a String extension holds at most 256 characters', value.slice(0, 40));
      if (!isStorableText(value)) throw invalid(name, 'contains U+0000 or an unpaired surrogate, which a directory string cannot hold', undefined);
      return value;
    case 'Integer':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
        throw invalid(name, 'expected a 32-bit Integer', value);
      }
      return value;
    case 'LargeInteger':
      if (typeof value === 'string' && /^-?\d{1,16}$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(name, 'expected a LargeInteger (a safe integer)', value);
      return value;
    case 'Boolean':
      if (typeof value !== 'boolean') throw invalid(name, 'expected a Boolean', value);
      return value;
    case 'DateTime': {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw invalid(name, 'expected an ISO 8601 DateTime', value);
      return new Date(value).toISOString();
    }
    case 'Binary': {
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
        throw invalid(name, 'expected base64 Binary', value);
      }
      if (Buffer.from(value, 'base64').length > 256) throw invalid(name, 'a Binary extension holds at most 256 bytes', undefined);
      return value;
    }
  }
}

/** The stored form of a value, or null to remove the extension from the object. */
export function normalizeExtensionValue(definition: ExtensionDefinition, value: unknown): unknown {
  if (value === null) return null;
  if (definition.isMultiValued) {
    if (!Array.isArray(value)) throw invalid(definition.name, `expected an array of ${definition.dataType}`, value);
    if (value.length > MAX_VALUES) throw invalid(definition.name, `at most ${MAX_VALUES} values`, value.length);
    if (value.length === 0) return null;
    return value.map((v) => normalizeOne(definition, v));
  }
  return normalizeOne(definition, value);
}
