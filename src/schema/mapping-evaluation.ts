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
import { compileExpression, type CompiledExpression, type SlottedExpression } from '../expressions/index.ts';
import { IGNORE_FLOW, type EvaluationContext, type IgnoreFlow } from '../expressions/function-definition.ts';
import { resolveContext } from '../expressions/evaluation-context.ts';
import { walkNodes } from '../expressions/ast.ts';
import { AttributeSlots, type AttributeSource, type Value } from '../expressions/value.ts';
import { expressionOfSource, sourceType, type AttributeMappingSourceType } from './attribute-mapping-source.ts';
import {
  ATTRIBUTE_FLOW_BEHAVIORS,
  ATTRIBUTE_FLOW_TYPES,
  graphEnumEquals,
  type AttributeFlowBehavior,
  type AttributeFlowType,
  type AttributeDefinition,
  type ObjectDefinition,
  type ObjectMapping,
  findByName,
} from './synchronization-schema.ts';
import { mismatchMessage, NOT_FITTING, targetFitter, type TargetFitter } from './target-value.ts';

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
  /** the target attribute's definition, when the target object was given */
  readonly definition: AttributeDefinition | undefined;
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
  /**
   * What attribute mapping `index` wrote; undefined when it wrote nothing (skipped, or failed). When two mappings
   * write one target attribute, `values` holds the later one (see CompiledObjectMapping.distinctTargets).
   */
  valueAt(index: number): Value | undefined;
  /**
   * The target attributes whose lineage is redacted — `new Set(lineage.filter((l) => l.redacted).map((l) =>
   * l.targetAttributeName))` — without building the lineage (shared between objects when no mapping failed).
   */
  readonly redactedTargets: ReadonlySet<string>;
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
  /** no two attribute mappings name the same target attribute: `values[m.targetAttributeName]` is `valueAt(m.index)` */
  readonly distinctTargets: boolean;
  evaluate(source: AttributeSource, options: EvaluateOptions): MappingResult;
}

export interface CompileObjectMappingOptions {
  /** the JSON path of the objectMapping, for lineage and errors */
  readonly path?: string;
  readonly isKnownAttribute?: (name: string) => boolean;
  /**
   * The target object's definition: when given, every value is fitted to its attribute's type and
   * multiplicity (toTargetValue); a value that does not fit is an ERR_SCHEMA_VALUE_TYPE error value.
   */
  readonly targetObject?: ObjectDefinition;
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
      definition: findByName(options.targetObject?.attributes, mapping.targetAttributeName),
    });
  });
  // Every attribute the mapping set reads is read from the source once per object into `slots`; expressions
  // and lineage then read the snapshot. Source lookups are case-insensitive (a lower-casing per call), and a
  // set of ~50 mappings reads ~100 attributes, many twice: this halves the cost of evaluating an object.
  const slotOfLowerName = new Map<string, number>();
  const slotOfSpelling = new Map<string, number>();
  const slotNames: string[] = [];
  const sourceSlots = attributeMappings.map((mapping) => {
    if (mapping.compiled === undefined) return EMPTY_SLOTS;
    for (const node of walkNodes(mapping.compiled.ast)) {
      if (node.kind !== 'attribute') continue;
      const lower = node.name.toLowerCase();
      let slot = slotOfLowerName.get(lower);
      if (slot === undefined) {
        slot = slotNames.length;
        slotNames.push(node.name);
        slotOfLowerName.set(lower, slot);
      }
      slotOfSpelling.set(node.name, slot);
    }
    return mapping.compiled.attributes.map((name) => slotOfSpelling.get(name) as number);
  });
  const matchingAttributes = attributeMappings.filter((m) => m.matchingPriority > 0).sort((a, b) => a.matchingPriority - b.matchingPriority);
  const objectMappingName = objectMapping.name ?? undefined;
  const slots = new AttributeSlots(slotNames);
  // every attribute an expression reads has a slot: the expressions read the snapshot, never the source
  const slotted = attributeMappings.map((m) => m.compiled?.bindSlots((name) => slotOfSpelling.get(name) ?? -1));
  // copied per object: a packed array of undefined, cheaper than `new Array(n)` (holey, and a runtime call)
  const emptySnapshot: (Value | undefined)[] = new Array<Value | undefined>(slotNames.length).fill(undefined);
  const emptyOutcomes: Outcome[] = new Array<Outcome>(attributeMappings.length).fill(NOT_WRITTEN);
  const fitters = attributeMappings.map((m) => (m.definition === undefined ? undefined : targetFitter(m.definition)));
  const redactedTargets: ReadonlySet<string> = new Set(attributeMappings.filter((m) => m.redacted).map((m) => m.targetAttributeName));
  const shared: EvaluatedMappingSet = { attributeMappings, objectMappingName, sourceSlots, redactedTargets };

  function evaluate(source: AttributeSource, evaluateOptions: EvaluateOptions): MappingResult {
    if (evaluateOptions === null || typeof evaluateOptions !== 'object' || typeof evaluateOptions.isCreate !== 'boolean') {
      throw new TypeError('evaluate needs { isCreate: boolean }');
    }
    const { isCreate } = evaluateOptions;
    // Resolved once per object rather than once per mapping: a partial context would be merged ~50 times.
    const context = evaluateOptions.context === undefined ? undefined : resolveContext(evaluateOptions.context);
    // Per object: one outcome per mapping, in mapping order. `values` and the lineage are derived from them on
    // first access (the engine reads neither for most objects; building them was ~40% of this function's
    // allocation).
    // every mapping sets its outcome (NOT_WRITTEN until then): sized once, not grown by push
    const outcomes: Outcome[] = emptyOutcomes.slice();
    let errors: MappingError[] | undefined;
    let defaults: number[] | undefined;
    const snapshot = emptySnapshot.slice();
    if (source.readInto !== undefined) source.readInto(slots, snapshot);
    else for (let i = 0; i < slotNames.length; i++) snapshot[i] = source.get(slotNames[i] as string);

    for (let m = 0; m < attributeMappings.length; m++) {
      const mapping = attributeMappings[m] as CompiledAttributeMapping;
      if (mapping.compileError !== undefined) {
        (errors ??= []).push(mapping.compileError);
        outcomes[m] = NOT_WRITTEN;
        continue;
      }
      if (mapping.flowType === 'ObjectAddOnly' && !isCreate) {
        outcomes[m] = SKIPPED.ObjectAddOnly;
        continue;
      }
      let value: Value;
      if (mapping.compiled === undefined) {
        // A "None" mapping: only its default value, only on create.
        if (!isCreate) {
          outcomes[m] = SKIPPED.NoSourceOnUpdate;
          continue;
        }
        value = null;
      } else {
        let result: Value | IgnoreFlow;
        try {
          result = (slotted[m] as SlottedExpression).evaluateSnapshot(snapshot, source, context);
        } catch (error) {
          const failure = errorOf(error, { targetAttributeName: mapping.targetAttributeName, index: mapping.index, path: mapping.path }, '.source.expression');
          // Function errors quote the values they failed on; a redacted mapping's values must not reach a log.
          (errors ??= []).push(mapping.redacted ? { ...failure, message: `${failure.code}: message withheld because the mapping is redacted` } : failure);
          outcomes[m] = NOT_WRITTEN;
          continue;
        }
        if (result === IGNORE_FLOW) {
          outcomes[m] = SKIPPED.IgnoreFlowIfNullOrEmpty;
          continue;
        }
        value = result;
      }
      if (isNullish(value) && isCreate) {
        if (mapping.defaultValue !== null) {
          value = mapping.defaultValue;
          (defaults ??= []).push(mapping.index);
        } else {
          // Nothing to create with: writing null on create is a no-op, so leave it out of the export.
          outcomes[m] = SKIPPED.NullWithoutDefault;
          continue;
        }
      }
      const fitter = fitters[mapping.index];
      if (fitter !== undefined) {
        const fitted = fitter(value);
        if (fitted === NOT_FITTING) {
          const message = mismatchMessage(value, mapping.definition!, { redact: mapping.redacted });
          (errors ??= []).push({ targetAttributeName: mapping.targetAttributeName, mappingIndex: mapping.index, path: mapping.path, code: 'ERR_SCHEMA_VALUE_TYPE', message });
          outcomes[m] = NOT_WRITTEN;
          continue;
        }
        value = fitted;
      }
      outcomes[m] = value;
    }
    return new MappingEvaluation(shared, snapshot, outcomes, errors ?? NO_ERRORS, defaults);
  }

  return Object.freeze({
    name: objectMappingName,
    sourceObjectName: objectMapping.sourceObjectName,
    targetObjectName: objectMapping.targetObjectName,
    path,
    attributeMappings: Object.freeze(attributeMappings),
    matchingAttributes: Object.freeze(matchingAttributes),
    distinctTargets: new Set(attributeMappings.map((m) => m.targetAttributeName)).size === attributeMappings.length,
    evaluate,
  });
}

/** What the compiled mapping set shares with each of its evaluations. */
interface EvaluatedMappingSet {
  readonly attributeMappings: readonly CompiledAttributeMapping[];
  readonly objectMappingName: string | undefined;
  readonly sourceSlots: readonly (readonly number[])[];
  /** the redacted mappings' target attributes: every mapping has a lineage entry unless it failed */
  readonly redactedTargets: ReadonlySet<string>;
}

/** A mapping that wrote nothing: skipped (with the lineage's reason) or failed (reason undefined, no lineage). */
class Unwritten {
  readonly skipped: SkipReason | undefined;
  constructor(skipped: SkipReason | undefined) {
    this.skipped = skipped;
  }
}

/** What one attribute mapping did for one object: the value it wrote, or why it wrote none. */
type Outcome = Value | Unwritten;

const NOT_WRITTEN = new Unwritten(undefined);
const SKIPPED: Readonly<Record<SkipReason, Unwritten>> = Object.freeze(Object.fromEntries(SKIP_REASONS.map((r) => [r, new Unwritten(r)])) as Record<SkipReason, Unwritten>);
const NO_ERRORS: readonly MappingError[] = Object.freeze([]);

/**
 * One object's evaluation. `values` and `lineage` are built on first access, from the outcomes and the source
 * snapshot, which are immutable: the result is the same whenever it is read. Both keep mapping order: a later
 * mapping writing the same target attribute replaces the value, at the first one's position.
 */
class MappingEvaluation implements MappingResult {
  readonly errors: readonly MappingError[];
  readonly #set: EvaluatedMappingSet;
  readonly #snapshot: readonly (Value | undefined)[];
  readonly #outcomes: readonly Outcome[];
  readonly #defaults: readonly number[] | undefined;
  #values: Record<string, Value> | undefined;
  #lineage: AttributeLineage[] | undefined;

  constructor(set: EvaluatedMappingSet, snapshot: readonly (Value | undefined)[], outcomes: readonly Outcome[], errors: readonly MappingError[], defaults: readonly number[] | undefined) {
    this.#set = set;
    this.#snapshot = snapshot;
    this.#outcomes = outcomes;
    this.errors = errors;
    this.#defaults = defaults;
  }

  valueAt(index: number): Value | undefined {
    const outcome = this.#outcomes[index];
    return outcome instanceof Unwritten ? undefined : outcome;
  }

  get redactedTargets(): ReadonlySet<string> {
    if (this.errors.length === 0) return this.#set.redactedTargets;
    return new Set(this.lineage.filter((l) => l.redacted).map((l) => l.targetAttributeName));
  }

  get values(): Readonly<Record<string, Value>> {
    if (this.#values === undefined) {
      const values = Object.create(null) as Record<string, Value>;
      const mappings = this.#set.attributeMappings;
      for (let i = 0; i < mappings.length; i++) {
        const outcome = this.#outcomes[i];
        if (!(outcome instanceof Unwritten)) values[(mappings[i] as CompiledAttributeMapping).targetAttributeName] = outcome as Value;
      }
      this.#values = values;
    }
    return this.#values;
  }

  get lineage(): readonly AttributeLineage[] {
    if (this.#lineage === undefined) {
      const { attributeMappings, objectMappingName, sourceSlots } = this.#set;
      const lineage: AttributeLineage[] = [];
      for (let i = 0; i < attributeMappings.length; i++) {
        const outcome = this.#outcomes[i];
        if (outcome === NOT_WRITTEN) continue;
        const mapping = attributeMappings[i] as CompiledAttributeMapping;
        const slots = sourceSlots[i] as readonly number[];
        lineage.push(outcome instanceof Unwritten
          ? lineageEntry(mapping, objectMappingName, slots, this.#snapshot, null, false, outcome.skipped)
          : lineageEntry(mapping, objectMappingName, slots, this.#snapshot, outcome as Value, this.#defaults?.includes(i) === true, undefined));
      }
      this.#lineage = lineage;
    }
    return this.#lineage;
  }

  /** The plain form (a class instance with getters would otherwise serialize as its errors only). */
  toJSON(): { values: Readonly<Record<string, Value>>; lineage: readonly AttributeLineage[]; errors: readonly MappingError[] } {
    return { values: this.values, lineage: this.lineage, errors: this.errors };
  }
}

function isNullish(value: Value): boolean {
  return value === null || (Array.isArray(value) && value.length === 0);
}

/**
 * One lineage entry. Built ~50 times per object, so it holds references (the compiled mapping and the
 * object's source snapshot) and derives the rest on access; toJSON gives the plain form logs store.
 */
class LineageEntry implements AttributeLineage {
  readonly #mapping: CompiledAttributeMapping;
  readonly #slots: readonly number[];
  readonly #snapshot: readonly (Value | undefined)[];
  readonly objectMappingName: string | undefined;
  readonly value: Value | typeof REDACTED;
  readonly usedDefault: boolean;
  readonly skipped: SkipReason | undefined;

  constructor(mapping: CompiledAttributeMapping, objectMappingName: string | undefined, slots: readonly number[],
    snapshot: readonly (Value | undefined)[], value: Value, usedDefault: boolean, skipped: SkipReason | undefined) {
    this.#mapping = mapping;
    this.#slots = slots;
    this.#snapshot = snapshot;
    this.objectMappingName = objectMappingName;
    this.value = mapping.redacted && skipped === undefined ? REDACTED : value;
    this.usedDefault = usedDefault;
    this.skipped = skipped;
  }

  get targetAttributeName(): string { return this.#mapping.targetAttributeName; }
  get mappingIndex(): number { return this.#mapping.index; }
  get mappingPath(): string { return this.#mapping.path; }
  get kind(): MappingKind { return this.#mapping.kind; }
  get expression(): string { return this.#mapping.expression; }
  get flowType(): AttributeFlowType { return this.#mapping.flowType; }
  get redacted(): boolean { return this.#mapping.redacted; }

  get sourceValues(): readonly SourceValue[] {
    const names = this.#mapping.compiled?.attributes ?? EMPTY_NAMES;
    if (names.length === 0) return EMPTY;
    return names.map((name, i) => ({ name, value: this.#mapping.redacted ? REDACTED : this.#snapshot[this.#slots[i] as number] ?? null }));
  }

  toJSON(): AttributeLineage {
    return {
      targetAttributeName: this.targetAttributeName,
      objectMappingName: this.objectMappingName,
      mappingIndex: this.mappingIndex,
      mappingPath: this.mappingPath,
      kind: this.kind,
      expression: this.expression,
      flowType: this.flowType,
      sourceValues: this.sourceValues,
      value: this.value,
      redacted: this.redacted,
      usedDefault: this.usedDefault,
      skipped: this.skipped,
    };
  }
}

function lineageEntry(mapping: CompiledAttributeMapping, objectMappingName: string | undefined, slots: readonly number[],
  snapshot: readonly (Value | undefined)[], value: Value, usedDefault: boolean, skipped: SkipReason | undefined): AttributeLineage {
  return new LineageEntry(mapping, objectMappingName, slots, snapshot, value, usedDefault, skipped);
}

const EMPTY_NAMES: readonly string[] = Object.freeze([]);
const EMPTY_SLOTS: readonly number[] = Object.freeze([]);
const EMPTY: readonly SourceValue[] = Object.freeze([]);
