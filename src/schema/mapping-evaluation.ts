/**
 * Evaluating an objectMapping for one source object: target values plus per-attribute lineage.
 *
 * Entra (how-to-attribute-mapping.md, research §1.6): "Default value if null (applied only at create, not
 * at update)"; "Apply this mapping: Always | Only during creation"; mapping type "None leaves the target alone
 * but fills in the default value if the target is empty". Graph (attributeMapping): "defaultValue — Default
 * value to be used in case the source property was evaluated to null."
 * Entra (functions reference): IgnoreFlowIfNullOrEmpty — "drop the target attribute from the flow";
 * Redact — "shows [Redact] in provisioning logs".
 *
 * Invariants:
 * - An objectMapping is compiled once; `evaluate` is called per object and never throws a CloudsyncError:
 *   a mapping that fails (at compile time or for this object) becomes an entry of `errors` and the other
 *   attributes are still computed. Anything else thrown is a bug and propagates.
 * - Every written attribute has exactly one lineage entry; so does every skipped one (with the reason), so
 *   "why is this value X?" and "why was it not written?" are both answerable from the result.
 * - A redacted value (an expression calling Redact) appears in `values` — it must reach the target — but
 *   its lineage shows REDACTED for the value and for every source value it read. Lineage is what logs see.
 * - On update, a null result is written as null (the target is cleared, as Entra Cloud Sync does); the
 *   default value applies on create only.
 */
import { isCloudsyncError, type ErrorCode } from '../errors/index.ts';
import { compileExpression, type CompiledExpression } from '../expressions/index.ts';
import type { EvaluationContext } from '../expressions/function-definition.ts';
import type { AttributeSource, Value } from '../expressions/value.ts';
import { expressionOfSource, sourceType, type AttributeMappingSourceType } from './attribute-mapping-source.ts';
import {
  ATTRIBUTE_FLOW_BEHAVIORS,
  ATTRIBUTE_FLOW_TYPES,
  graphEnumEquals,
  type AttributeFlowBehavior,
  type AttributeFlowType,
  type ObjectMapping,
} from './synchronization-schema.ts';

/** What logs show instead of a redacted value. Entra's provisioning log shows "[Redact]". */
export const REDACTED = '[Redact]';

export const SKIP_REASONS = ['ObjectAddOnly', 'IgnoreFlowIfNullOrEmpty', 'NoSourceOnUpdate', 'NullWithoutDefault'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export type MappingKind = AttributeMappingSourceType | 'None';

export interface CompiledAttributeMapping {
  readonly index: number;
  readonly path: string;
  readonly targetAttributeName: string;
  readonly kind: MappingKind;
  /** the expression text evaluated ('' for a None mapping) */
  readonly expression: string;
  readonly flowType: AttributeFlowType;
  readonly flowBehavior: AttributeFlowBehavior;
  readonly defaultValue: string | null;
  readonly matchingPriority: number;
  readonly redacted: boolean;
  /** set when the mapping could not be compiled; every evaluation reports it */
  readonly compileError: MappingError | undefined;
  readonly compiled: CompiledExpression | undefined;
}

export interface MappingError {
  readonly targetAttributeName: string;
  readonly mappingIndex: number;
  readonly path: string;
  readonly code: ErrorCode;
  readonly message: string;
  readonly position?: number;
}

export interface SourceValue {
  readonly name: string;
  readonly value: Value | typeof REDACTED;
}

export interface AttributeLineage {
  readonly targetAttributeName: string;
  readonly objectMappingName: string | undefined;
  readonly mappingIndex: number;
  readonly mappingPath: string;
  readonly kind: MappingKind;
  readonly expression: string;
  readonly flowType: AttributeFlowType;
  /** the source attributes the expression read, with the values it saw */
  readonly sourceValues: readonly SourceValue[];
  /** what was written, or REDACTED */
  readonly value: Value | typeof REDACTED;
  readonly redacted: boolean;
  readonly usedDefault: boolean;
  /** set when the attribute was not written */
  readonly skipped: SkipReason | undefined;
}

export interface MappingResult {
  /** target attribute → value to write. Absent = leave the target attribute alone. */
  readonly values: Readonly<Record<string, Value>>;
  readonly lineage: readonly AttributeLineage[];
  readonly errors: readonly MappingError[];
}

export interface EvaluateOptions {
  /** true when the target object is being created: enables defaultValue and ObjectAddOnly mappings */
  readonly isCreate: boolean;
  readonly context?: Partial<EvaluationContext>;
}

export interface CompiledObjectMapping {
  readonly name: string | undefined;
  readonly sourceObjectName: string;
  readonly targetObjectName: string;
  readonly path: string;
  readonly attributeMappings: readonly CompiledAttributeMapping[];
  /** mappings with matchingPriority > 0, lowest first ("tried first, then the next") */
  readonly matchingAttributes: readonly CompiledAttributeMapping[];
  evaluate(source: AttributeSource, options: EvaluateOptions): MappingResult;
}

export interface CompileObjectMappingOptions {
  /** the JSON path of the objectMapping, for lineage and errors */
  readonly path?: string;
  readonly isKnownAttribute?: (name: string) => boolean;
}

function pick<T extends string>(values: readonly T[], value: string | null | undefined, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  return values.find((v) => graphEnumEquals(value, v)) ?? fallback;
}

function errorOf(error: unknown, mapping: { targetAttributeName: string; index: number; path: string }, pathSuffix: string): MappingError {
  if (!isCloudsyncError(error)) throw error;
  return {
    targetAttributeName: mapping.targetAttributeName,
    mappingIndex: mapping.index,
    path: `${mapping.path}${pathSuffix}`,
    code: error.code,
    message: error.message,
    ...(error.position === undefined ? {} : { position: error.position }),
  };
}

export function compileObjectMapping(objectMapping: ObjectMapping, options: CompileObjectMappingOptions = {}): CompiledObjectMapping {
  if (objectMapping === null || typeof objectMapping !== 'object') throw new TypeError('compileObjectMapping needs an objectMapping');
  const path = options.path ?? 'objectMapping';
  const attributeMappings = (objectMapping.attributeMappings ?? []).map((mapping, index): CompiledAttributeMapping => {
    const mappingPath = `${path}.attributeMappings[${index}]`;
    const source = mapping.source ?? null;
    const kind: MappingKind = source === null ? 'None' : sourceType(source) ?? 'Function';
    let expression = '';
    let compiled: CompiledExpression | undefined;
    let compileError: MappingError | undefined;
    if (source !== null) {
      try {
        expression = expressionOfSource(source);
        compiled = compileExpression(expression, options.isKnownAttribute === undefined ? {} : { isKnownAttribute: options.isKnownAttribute });
      } catch (error) {
        compileError = errorOf(error, { targetAttributeName: mapping.targetAttributeName, index, path: mappingPath }, '.source.expression');
      }
    }
    return Object.freeze({
      index,
      path: mappingPath,
      targetAttributeName: mapping.targetAttributeName,
      kind,
      expression,
      flowType: pick(ATTRIBUTE_FLOW_TYPES, mapping.flowType, 'Always'),
      flowBehavior: pick(ATTRIBUTE_FLOW_BEHAVIORS, mapping.flowBehavior, 'FlowWhenChanged'),
      defaultValue: mapping.defaultValue ?? null,
      matchingPriority: mapping.matchingPriority ?? 0,
      redacted: compiled?.redacted ?? false,
      compileError,
      compiled,
    });
  });
  const matchingAttributes = attributeMappings.filter((m) => m.matchingPriority > 0).sort((a, b) => a.matchingPriority - b.matchingPriority);
  const objectMappingName = objectMapping.name ?? undefined;

  function evaluate(source: AttributeSource, evaluateOptions: EvaluateOptions): MappingResult {
    if (evaluateOptions === null || typeof evaluateOptions !== 'object' || typeof evaluateOptions.isCreate !== 'boolean') {
      throw new TypeError('evaluate needs { isCreate: boolean }');
    }
    const { isCreate, context } = evaluateOptions;
    const values: Record<string, Value> = Object.create(null) as Record<string, Value>;
    const lineage: AttributeLineage[] = [];
    const errors: MappingError[] = [];

    for (const mapping of attributeMappings) {
      if (mapping.compileError !== undefined) {
        errors.push(mapping.compileError);
        continue;
      }
      const base = {
        targetAttributeName: mapping.targetAttributeName,
        objectMappingName,
        mappingIndex: mapping.index,
        mappingPath: mapping.path,
        kind: mapping.kind,
        expression: mapping.expression,
        flowType: mapping.flowType,
        redacted: mapping.redacted,
      };
      const sourceValues = readSourceValues(mapping, source);
      if (mapping.flowType === 'ObjectAddOnly' && !isCreate) {
        lineage.push({ ...base, sourceValues, value: null, usedDefault: false, skipped: 'ObjectAddOnly' });
        continue;
      }
      let value: Value;
      if (mapping.compiled === undefined) {
        // A "None" mapping: only its default value, only on create.
        if (!isCreate) {
          lineage.push({ ...base, sourceValues, value: null, usedDefault: false, skipped: 'NoSourceOnUpdate' });
          continue;
        }
        value = null;
      } else {
        let result;
        try {
          result = mapping.compiled.evaluate(source, context);
        } catch (error) {
          errors.push(errorOf(error, { targetAttributeName: mapping.targetAttributeName, index: mapping.index, path: mapping.path }, '.source.expression'));
          continue;
        }
        if (result.kind === 'ignoreFlow') {
          lineage.push({ ...base, sourceValues, value: null, usedDefault: false, skipped: 'IgnoreFlowIfNullOrEmpty' });
          continue;
        }
        value = result.value;
      }
      let usedDefault = false;
      if (isNullish(value) && isCreate) {
        if (mapping.defaultValue !== null) {
          value = mapping.defaultValue;
          usedDefault = true;
        } else {
          // Nothing to create with: writing null on create is a no-op, so leave it out of the export.
          lineage.push({ ...base, sourceValues, value: null, usedDefault: false, skipped: 'NullWithoutDefault' });
          continue;
        }
      }
      values[mapping.targetAttributeName] = value;
      lineage.push({ ...base, sourceValues, value: mapping.redacted ? REDACTED : value, usedDefault, skipped: undefined });
    }
    return { values, lineage, errors };
  }

  return Object.freeze({
    name: objectMappingName,
    sourceObjectName: objectMapping.sourceObjectName,
    targetObjectName: objectMapping.targetObjectName,
    path,
    attributeMappings: Object.freeze(attributeMappings),
    matchingAttributes: Object.freeze(matchingAttributes),
    evaluate,
  });
}

function isNullish(value: Value): boolean {
  return value === null || (Array.isArray(value) && value.length === 0);
}

function readSourceValues(mapping: CompiledAttributeMapping, source: AttributeSource): readonly SourceValue[] {
  const names = mapping.compiled?.attributes;
  if (names === undefined || names.length === 0) return EMPTY;
  return names.map((name) => ({ name, value: mapping.redacted ? REDACTED : source.get(name) ?? null }));
}

const EMPTY: readonly SourceValue[] = Object.freeze([]);
