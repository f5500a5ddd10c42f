/**
 * Is this object in scope of this object mapping? The single answer the engine's `scoping` step needs,
 * composed of four independent tests, all of which must pass:
 *
 *   inputFilter (objectMapping.scope.inputFilterGroups: default exclusions; never deprovisions)
 *   ∧ container (rule.containerFilter) ∧ group (rule.groupFilter)
 *   ∧ filter (objectMapping.scope.groups: attribute scoping; leaving it deprovisions)
 *
 * `deprovisionOnExit` tells the engine what an object that was in scope and now fails means: Graph says
 * objects failing inputFilterGroups "will NOT get de-provisioned", everything else does.
 */
import type { AttributeSource } from '../expressions/value.ts';
import {
  compileContainerScope,
  compileGroupScope,
  type CompiledMembershipScope,
  type ContainerFilter,
  type GroupFilter,
  type GroupScopeNesting,
  type MembershipScopeTrace,
  type ObjectPlacement,
} from './container-scope.ts';
import { compileScopingFilter, type CompiledScopingFilter, type ScopingFilter, type ScopingFilterTrace } from './scoping-filter.ts';
import { GROUP_SCOPE_NESTING_METADATA_KEY, GROUP_SCOPE_NESTINGS } from './container-scope.ts';
import { metadataValue, type ObjectMapping, type SynchronizationRule } from './synchronization-schema.ts';

export interface ObjectScopeTrace {
  readonly inScope: boolean;
  /** only meaningful when !inScope: false when the object only failed the input filter */
  readonly deprovisionOnExit: boolean;
  readonly container: MembershipScopeTrace;
  readonly group: MembershipScopeTrace;
  readonly filter: ScopingFilterTrace;
}

export interface CompiledObjectScope {
  readonly container: CompiledMembershipScope;
  readonly group: CompiledMembershipScope;
  readonly filter: CompiledScopingFilter;
  isInScope(source: AttributeSource, placement?: ObjectPlacement): boolean;
  trace(source: AttributeSource, placement?: ObjectPlacement): ObjectScopeTrace;
  /**
   * trace's inScope and deprovisionOnExit without the trace: the same answers (clauses are pure and never throw, so
   * stopping at the first decisive one changes nothing), without a trace object per clause of every object.
   */
  decide(source: AttributeSource, placement?: ObjectPlacement): ObjectScopeDecision;
}

export type ObjectScopeDecision = Pick<ObjectScopeTrace, 'inScope' | 'deprovisionOnExit'>;

const IN_SCOPE: ObjectScopeDecision = Object.freeze({ inScope: true, deprovisionOnExit: true });
const OUT_OF_SCOPE: ObjectScopeDecision = Object.freeze({ inScope: false, deprovisionOnExit: true });
const FILTERED_OUT_BY_INPUT: ObjectScopeDecision = Object.freeze({ inScope: false, deprovisionOnExit: false });

export interface ObjectScopeDefinition {
  readonly scope?: ScopingFilter | null;
  readonly containerFilter?: ContainerFilter | null;
  readonly groupFilter?: GroupFilter | null;
  readonly groupScopeNesting?: GroupScopeNesting;
}

const NOWHERE: ObjectPlacement = Object.freeze({});

/** `path` is the object mapping's path; the container and group filters live on its rule (`rulePath`). */
export function compileObjectScope(definition: ObjectScopeDefinition, path = 'objectMapping', rulePath = 'synchronizationRule'): CompiledObjectScope {
  const container = compileContainerScope(definition.containerFilter, `${rulePath}.containerFilter`);
  const group = compileGroupScope(definition.groupFilter, { nesting: definition.groupScopeNesting ?? 'Direct' }, `${rulePath}.groupFilter`);
  const filter = compileScopingFilter(definition.scope, `${path}.scope`);
  return Object.freeze({
    container,
    group,
    filter,
    isInScope(source: AttributeSource, placement: ObjectPlacement = NOWHERE): boolean {
      return filter.passesInputFilter(source, placement) &&
        container.evaluate(placement).result &&
        group.evaluate(placement).result &&
        filter.passesScope(source, placement);
    },
    decide(source: AttributeSource, placement: ObjectPlacement = NOWHERE): ObjectScopeDecision {
      if (!filter.passesInputFilter(source, placement)) return FILTERED_OUT_BY_INPUT;
      const inScope = container.evaluate(placement).result && group.evaluate(placement).result && filter.passesScope(source, placement);
      return inScope ? IN_SCOPE : OUT_OF_SCOPE;
    },
    trace(source: AttributeSource, placement: ObjectPlacement = NOWHERE): ObjectScopeTrace {
      const filterTrace = filter.trace(source, placement);
      const containerTrace = container.evaluate(placement);
      const groupTrace = group.evaluate(placement);
      const inScope = filterTrace.result && containerTrace.result && groupTrace.result;
      return { inScope, deprovisionOnExit: filterTrace.inputFilterGroups.result, container: containerTrace, group: groupTrace, filter: filterTrace };
    },
  });
}

/**
 * The scope of one object mapping of a rule, as stored in the schema: the rule's container and group filters
 * (group nesting from the rule's GroupScopeNesting metadata) and the mapping's own filter.
 */
export function compileObjectMappingScope(rule: SynchronizationRule, objectMapping: ObjectMapping, rulePath = 'synchronizationRules[0]', objectMappingPath = `${rulePath}.objectMappings[0]`): CompiledObjectScope {
  const nesting = metadataValue(rule.metadata, GROUP_SCOPE_NESTING_METADATA_KEY) ?? 'Direct';
  const groupScopeNesting = GROUP_SCOPE_NESTINGS.find((n) => n.toLowerCase() === nesting.toLowerCase());
  if (groupScopeNesting === undefined) throw new TypeError(`${rulePath}.metadata ${GROUP_SCOPE_NESTING_METADATA_KEY}=${nesting}: validate the schema before compiling it`);
  return compileObjectScope({
    scope: objectMapping.scope ?? null,
    containerFilter: rule.containerFilter ?? null,
    groupFilter: rule.groupFilter ?? null,
    groupScopeNesting,
  }, objectMappingPath, rulePath);
}
