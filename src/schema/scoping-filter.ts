/**
 * Attribute-based scoping filters, compiled once and evaluated per object, with an optional trace.
 *
 * Graph (filter resource): "It consists of several sets of filter groups, and each filter group holds one or
 * more clauses. An object is considered in scope for the group (the group is evaluated to `true`) only if all
 * the clauses of the group are evaluated to `true`. An object is considered in scope for the group set …
 * if any of the groups in the set is evaluated to `true`."
 *   - `groups`: "This is the filter which should be used in most cases … such object *will get de-provisioned*"
 *   - `inputFilterGroups`: "filter out objects at the early stage of reading them … will NOT get de-provisioned"
 *   - `categoryFilterGroups`: experimental; kept in the JSON, not evaluated here.
 *
 * Invariants:
 * - An empty or absent group set means "no filtering" (in scope). Graph's "ANY of the groups" would make an
 *   empty set exclude everything, which nobody means; Entra's UI shows "no scoping filter" for it.
 * - A group with no clauses is true (all of none).
 * - REGEX MATCH patterns are .NET regular expressions (Entra runs .NET), translated once by the expression
 *   engine's translator; a pattern it cannot translate faithfully is refused, like an invalid one.
 * - Operator semantics, null handling and multi-valued behaviour come from SCOPING_OPERATOR_DEFINITIONS; this
 *   file only applies them. Everything that can be wrong with a clause (unknown operator, bad regex, a
 *   non-integer bound) is reported at compile time as ERR_SCOPE_INVALID naming the clause path, so
 *   evaluation never throws for a compiled filter.
 */
import { CloudsyncError, isCloudsyncError } from '../errors/index.ts';
import { translateDotnetRegex } from '../expressions/dotnet-regex.ts';
import type { AttributeSource, Scalar, Value } from '../expressions/value.ts';
import { isReference } from '../expressions/value.ts';
import { normalizeGuid, parseScopeReference } from './object-guid.ts';
import {
  SCOPING_OPERATOR_DEFINITIONS,
  SCOPING_OPERATORS,
  resolveScopingOperator,
  type ScopingOperator,
  type TargetKind,
} from './scoping-operator.ts';

/** Graph filterOperand */
export interface FilterOperand {
  readonly values?: readonly string[] | null;
}

/** Graph filterClause */
export interface FilterClause {
  readonly operatorName: string;
  readonly sourceOperandName: string;
  readonly targetOperand?: FilterOperand | null;
}

/** Graph filterGroup */
export interface FilterGroup {
  readonly name?: string | null;
  readonly clauses?: readonly FilterClause[] | null;
}

/** Graph filter (objectMapping.scope) */
export interface ScopingFilter {
  readonly groups?: readonly FilterGroup[] | null;
  readonly inputFilterGroups?: readonly FilterGroup[] | null;
  readonly categoryFilterGroups?: readonly FilterGroup[] | null;
}

/** What the engine knows about the object beyond its attributes (for IS_MEMBER_OF). GUIDs in canonical form. */
export interface ScopingContext {
  readonly memberOf?: ReadonlySet<string>;
  readonly transitiveMemberOf?: ReadonlySet<string>;
}

export interface ClauseTrace {
  readonly path: string;
  readonly sourceOperandName: string;
  readonly operatorName: string;
  /** the attribute value the clause saw (for IS_MEMBER_OF: the group GUIDs it looked at) */
  readonly operandValue: Value;
  readonly targetValues: readonly string[];
  readonly result: boolean;
}

export interface GroupTrace {
  readonly path: string;
  readonly name: string | undefined;
  readonly result: boolean;
  readonly clauses: readonly ClauseTrace[];
}

export interface GroupSetTrace {
  /** true when the set was empty, i.e. not filtering */
  readonly empty: boolean;
  readonly result: boolean;
  readonly groups: readonly GroupTrace[];
}

export interface ScopingFilterTrace {
  readonly result: boolean;
  readonly inputFilterGroups: GroupSetTrace;
  readonly groups: GroupSetTrace;
}

export interface CompiledScopingFilter {
  /** input filter (agent-side exclusions: objects failing it are never processed, never deprovisioned) */
  passesInputFilter(source: AttributeSource, context?: ScopingContext): boolean;
  /** the deprovisioning filter (`groups`) */
  passesScope(source: AttributeSource, context?: ScopingContext): boolean;
  /** both, short-circuiting */
  evaluate(source: AttributeSource, context?: ScopingContext): boolean;
  /** both, every clause evaluated, for on-demand provisioning and the provisioning log */
  trace(source: AttributeSource, context?: ScopingContext): ScopingFilterTrace;
  /**
   * The group objectGUIDs IS_MEMBER_OF clauses name, and whether one reads transitiveMemberOf: what the engine must
   * resolve and walk to supply the memberships these clauses compare.
   */
  readonly memberships: { readonly groups: readonly string[]; readonly transitive: boolean };
}

// ---------------------------------------------------------------------------------------------------------
// value coercions (shared with docs/scoping.md: keep in step)

const INTEGER_TEXT = /^[+-]?\d+$/;

function isEmptyValue(value: Value | undefined): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

function scalarsOf(value: Value): readonly Scalar[] {
  if (value === null) return [];
  return Array.isArray(value) ? (value as readonly Scalar[]) : [value as Scalar];
}

/** The text a string operator sees: .NET-like renderings, so "True"/"False" and decimal integers. */
export function scalarText(scalar: Scalar): string {
  if (typeof scalar === 'string') return scalar;
  if (typeof scalar === 'number' || typeof scalar === 'bigint') return String(scalar);
  if (typeof scalar === 'boolean') return scalar ? 'True' : 'False';
  if (scalar instanceof Date) return scalar.toISOString();
  if (scalar instanceof Uint8Array) return Buffer.from(scalar).toString('base64');
  if (isReference(scalar)) return scalar.dn;
  throw new TypeError('not a scalar value');
}

function scalarInteger(scalar: Scalar): bigint | undefined {
  if (typeof scalar === 'bigint') return scalar;
  if (typeof scalar === 'number') return Number.isSafeInteger(scalar) ? BigInt(scalar) : undefined;
  if (typeof scalar === 'string') return INTEGER_TEXT.test(scalar.trim()) ? BigInt(scalar.trim()) : undefined;
  return undefined;
}

function scalarBoolean(scalar: Scalar): boolean | undefined {
  if (typeof scalar === 'boolean') return scalar;
  if (typeof scalar === 'string') {
    const lower = scalar.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

/** `&H1F`, `0x1F` or decimal: masks are usually written in hex (userAccountControl flags). */
function parseMask(text: string): bigint | undefined {
  const trimmed = text.trim();
  if (/^&H[0-9a-fA-F]+$/.test(trimmed)) return BigInt(`0x${trimmed.slice(2)}`);
  if (/^0[xX][0-9a-fA-F]+$/.test(trimmed)) return BigInt(trimmed);
  if (/^\d+$/.test(trimmed)) return BigInt(trimmed);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// compiled clause tests, one per target kind

type ScalarTest = (scalar: Scalar) => boolean;

interface CompiledClause {
  readonly path: string;
  readonly sourceOperandName: string;
  readonly operatorName: string;
  readonly targetValues: readonly string[];
  /** reads the operand: an attribute, or the memberships for IS_MEMBER_OF */
  read(source: AttributeSource, context: ScopingContext | undefined): Value | undefined;
  test(value: Value | undefined): boolean;
  /** IS_MEMBER_OF: the groups it names, and whether it reads transitiveMemberOf */
  readonly membership?: { readonly groups: readonly string[]; readonly transitive: boolean };
}

function invalid(path: string, message: string, details?: Record<string, unknown>): CloudsyncError {
  return new CloudsyncError('ERR_SCOPE_INVALID', `${path}: ${message}`, details === undefined ? { path } : { path, details });
}

interface ClauseTargets {
  readonly texts: readonly string[];
  readonly integers: readonly (bigint | undefined)[];
}

function compileTargets(kind: TargetKind, values: readonly string[], path: string, operator: ScopingOperator): ClauseTargets {
  if (kind === 'none') return { texts: values, integers: [] };
  if (values.length === 0) throw invalid(`${path}.targetOperand.values`, `operator "${operator}" needs at least one target value`);
  let texts = values;
  if ((operator === '&' || operator === '!&') && values.length === 1 && (values[0] as string).includes(',')) {
    texts = (values[0] as string).split(',').map((v) => v.trim());
  }
  return { texts, integers: texts.map((t) => (INTEGER_TEXT.test(t.trim()) ? BigInt(t.trim()) : undefined)) };
}

type ScalarTestFactory = (targets: ClauseTargets, path: string) => ScalarTest;

function equalsAny(targets: ClauseTargets): ScalarTest {
  const texts = new Set(targets.texts);
  const integers = targets.integers.filter((i): i is bigint => i !== undefined);
  return (scalar) => {
    if (typeof scalar === 'number' || typeof scalar === 'bigint') {
      const n = scalarInteger(scalar);
      if (n !== undefined && integers.includes(n)) return true;
    }
    return texts.has(scalarText(scalar));
  };
}

function singleInteger(targets: ClauseTargets, path: string, operator: string): bigint {
  const bound = targets.integers[0];
  if (targets.texts.length !== 1 || bound === undefined) {
    throw invalid(`${path}.targetOperand.values`, `operator "${operator}" needs exactly one integer target value, got ${JSON.stringify(targets.texts)}`);
  }
  return bound;
}

function compare(operator: string, predicate: (value: bigint, bound: bigint) => boolean): ScalarTestFactory {
  return (targets, path) => {
    const bound = singleInteger(targets, path, operator);
    return (scalar) => {
      const value = scalarInteger(scalar);
      return value !== undefined && predicate(value, bound);
    };
  };
}

function mask(targets: ClauseTargets, path: string, operator: string): bigint {
  const parsed = targets.texts.length === 1 ? parseMask(targets.texts[0] as string) : undefined;
  if (parsed === undefined || parsed === 0n) {
    throw invalid(`${path}.targetOperand.values`, `operator "${operator}" needs exactly one non-zero integer mask (decimal, 0x… or &H…), got ${JSON.stringify(targets.texts)}`);
  }
  return parsed;
}

function regexes(targets: ClauseTargets, path: string): readonly RegExp[] {
  return targets.texts.map((pattern, index) => {
    try {
      // Entra runs .NET regular expressions; the expression engine's translator gives the same matches in JS.
      // Its RegExp carries the g flag, which makes test() stateful: rebuild without it.
      return new RegExp(translateDotnetRegex(pattern).regexp.source, 'v');
    } catch (error) {
      if (!isCloudsyncError(error)) throw error;
      throw invalid(`${path}.targetOperand.values[${index}]`, `invalid regular expression ${JSON.stringify(pattern)}: ${error.message}`);
    }
  });
}

const SCALAR_TESTS: Readonly<Record<Exclude<ScopingOperator, 'IS NULL' | 'IS NOT NULL' | 'IS_MEMBER_OF'>, ScalarTestFactory>> = {
  'EQUALS': (t) => equalsAny(t),
  'NOT EQUALS': (t) => { const eq = equalsAny(t); return (s) => !eq(s); },
  'IS TRUE': () => (s) => scalarBoolean(s) === true,
  'IS FALSE': () => (s) => scalarBoolean(s) === false,
  'REGEX MATCH': (t, p) => { const rs = regexes(t, p); return (s) => { const text = scalarText(s); return rs.some((r) => r.test(text)); }; },
  'NOT REGEX MATCH': (t, p) => { const rs = regexes(t, p); return (s) => { const text = scalarText(s); return !rs.some((r) => r.test(text)); }; },
  'Greater_Than': compare('Greater_Than', (v, b) => v > b),
  'Greater_Than_OR_EQUALS': compare('Greater_Than_OR_EQUALS', (v, b) => v >= b),
  'Less_Than': compare('Less_Than', (v, b) => v < b),
  'Less_Than_OR_EQUALS': compare('Less_Than_OR_EQUALS', (v, b) => v <= b),
  'Includes': (t) => (s) => { const text = scalarText(s); return t.texts.some((x) => text.includes(x)); },
  'STARTS_WITH': (t) => (s) => { const text = scalarText(s); return t.texts.some((x) => text.startsWith(x)); },
  'ENDS_WITH': (t) => (s) => { const text = scalarText(s); return t.texts.some((x) => text.endsWith(x)); },
  '&': (t) => { const set = new Set(t.texts); return (s) => set.has(scalarText(s)); },
  '!&': (t) => { const set = new Set(t.texts); return (s) => !set.has(scalarText(s)); },
  'IS_BIT_SET': (t, p) => { const m = mask(t, p, 'IS_BIT_SET'); return (s) => { const v = scalarInteger(s); return v !== undefined && (v & m) === m; }; },
  'IS_NOT_BIT_SET': (t, p) => { const m = mask(t, p, 'IS_NOT_BIT_SET'); return (s) => { const v = scalarInteger(s); return v !== undefined && (v & m) !== m; }; },
};

const MEMBERSHIP_OPERANDS = ['memberOf', 'transitiveMemberOf'] as const;

function compileClause(clause: FilterClause, path: string): CompiledClause {
  if (clause === null || typeof clause !== 'object') throw invalid(path, 'a filter clause must be an object');
  const operatorName = clause.operatorName;
  const operator = typeof operatorName === 'string' ? resolveScopingOperator(operatorName) : undefined;
  if (operator === undefined) {
    throw invalid(`${path}.operatorName`, `unknown operator ${JSON.stringify(operatorName)}; known operators: ${SCOPING_OPERATORS.join(', ')}`,
      { known: [...SCOPING_OPERATORS] });
  }
  const sourceOperandName = clause.sourceOperandName;
  if (typeof sourceOperandName !== 'string' || sourceOperandName.trim() === '') {
    throw invalid(`${path}.sourceOperandName`, 'the source operand must name an attribute');
  }
  const rawValues = clause.targetOperand?.values ?? [];
  if (!Array.isArray(rawValues) || rawValues.some((v) => typeof v !== 'string')) {
    throw invalid(`${path}.targetOperand.values`, 'target values must be an array of strings');
  }
  const definition = SCOPING_OPERATOR_DEFINITIONS[operator];
  const base = { path, sourceOperandName, operatorName: operator, targetValues: Object.freeze([...rawValues]) };

  if (operator === 'IS_MEMBER_OF') {
    const which = MEMBERSHIP_OPERANDS.find((name) => name.toLowerCase() === sourceOperandName.toLowerCase());
    if (which === undefined) {
      throw invalid(`${path}.sourceOperandName`, `IS_MEMBER_OF reads ${MEMBERSHIP_OPERANDS.join(' or ')}, not ${JSON.stringify(sourceOperandName)}`);
    }
    if (rawValues.length === 0) throw invalid(`${path}.targetOperand.values`, 'IS_MEMBER_OF needs at least one group objectGUID');
    const groups = rawValues.map((text, index) => {
      const guid = parseScopeReference(text).guid ?? normalizeGuid(text);
      if (guid === undefined) throw invalid(`${path}.targetOperand.values[${index}]`, `not a group objectGUID: ${JSON.stringify(text)}`);
      return guid;
    });
    return {
      ...base,
      membership: { groups, transitive: which === 'transitiveMemberOf' },
      read: (_source, context) => {
        const set = which === 'memberOf' ? context?.memberOf : context?.transitiveMemberOf ?? context?.memberOf;
        return set === undefined || set.size === 0 ? null : [...set];
      },
      test: (value) => {
        if (isEmptyValue(value)) return false;
        const set = new Set(scalarsOf(value as Value).map((s) => scalarText(s)));
        return groups.some((g) => set.has(g));
      },
    };
  }

  const read = (source: AttributeSource): Value | undefined => source.get(sourceOperandName);
  if (operator === 'IS NULL' || operator === 'IS NOT NULL') {
    const wantNull = operator === 'IS NULL';
    return { ...base, read, test: (value) => isEmptyValue(value) === wantNull };
  }
  const targets = compileTargets(definition.target, rawValues, path, operator);
  const scalarTest = SCALAR_TESTS[operator](targets, path);
  return {
    ...base,
    read,
    test: (value) => {
      if (isEmptyValue(value)) return definition.trueOnNull;
      const scalars = scalarsOf(value as Value);
      // Graph: multivaluedComparisonType "All" — every value must satisfy the clause.
      return definition.multivaluedComparisonType === 'All' ? scalars.every(scalarTest) : scalars.some(scalarTest);
    },
  };
}

interface CompiledGroup {
  readonly path: string;
  readonly name: string | undefined;
  readonly clauses: readonly CompiledClause[];
}

function compileGroupSet(groups: readonly FilterGroup[] | null | undefined, path: string): readonly CompiledGroup[] {
  if (groups === null || groups === undefined) return [];
  if (!Array.isArray(groups)) throw invalid(path, 'a filter group set must be an array');
  return groups.map((group, g) => {
    const groupPath = `${path}[${g}]`;
    if (group === null || typeof group !== 'object') throw invalid(groupPath, 'a filter group must be an object');
    const clauses = group.clauses ?? [];
    if (!Array.isArray(clauses)) throw invalid(`${groupPath}.clauses`, 'clauses must be an array');
    return {
      path: groupPath,
      name: typeof group.name === 'string' ? group.name : undefined,
      clauses: clauses.map((clause, c) => compileClause(clause, `${groupPath}.clauses[${c}]`)),
    };
  });
}

function passes(set: readonly CompiledGroup[], source: AttributeSource, context: ScopingContext | undefined): boolean {
  if (set.length === 0) return true;
  return set.some((group) => group.clauses.every((clause) => clause.test(clause.read(source, context))));
}

function traceSet(set: readonly CompiledGroup[], source: AttributeSource, context: ScopingContext | undefined): GroupSetTrace {
  const groups = set.map((group): GroupTrace => {
    const clauses = group.clauses.map((clause): ClauseTrace => {
      const value = clause.read(source, context);
      return {
        path: clause.path,
        sourceOperandName: clause.sourceOperandName,
        operatorName: clause.operatorName,
        operandValue: value ?? null,
        targetValues: clause.targetValues,
        result: clause.test(value),
      };
    });
    return { path: group.path, name: group.name, result: clauses.every((c) => c.result), clauses };
  });
  return { empty: set.length === 0, result: set.length === 0 || groups.some((g) => g.result), groups };
}

/**
 * Compiles objectMapping.scope. `path` names the filter in the schema
 * (`synchronizationRules[0].objectMappings[2].scope`) so errors point at the clause.
 */
export function compileScopingFilter(filter: ScopingFilter | null | undefined, path = 'scope'): CompiledScopingFilter {
  if (filter !== null && filter !== undefined && typeof filter !== 'object') throw invalid(path, 'a scoping filter must be an object');
  const input = compileGroupSet(filter?.inputFilterGroups, `${path}.inputFilterGroups`);
  const scope = compileGroupSet(filter?.groups, `${path}.groups`);
  const groups = new Set<string>();
  let transitive = false;
  for (const group of [...input, ...scope]) {
    for (const clause of group.clauses) {
      if (clause.membership === undefined) continue;
      for (const guid of clause.membership.groups) groups.add(guid);
      transitive ||= clause.membership.transitive;
    }
  }
  return Object.freeze({
    memberships: Object.freeze({ groups: Object.freeze([...groups]), transitive }),
    passesInputFilter: (source: AttributeSource, context?: ScopingContext) => passes(input, source, context),
    passesScope: (source: AttributeSource, context?: ScopingContext) => passes(scope, source, context),
    evaluate: (source: AttributeSource, context?: ScopingContext) => passes(input, source, context) && passes(scope, source, context),
    trace: (source: AttributeSource, context?: ScopingContext): ScopingFilterTrace => {
      const inputTrace = traceSet(input, source, context);
      const scopeTrace = traceSet(scope, source, context);
      return { result: inputTrace.result && scopeTrace.result, inputFilterGroups: inputTrace, groups: scopeTrace };
    },
  });
}
