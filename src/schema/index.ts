/**
 * Synchronization schema, templates, scoping and mapping evaluation: the configuration half of the engine.
 * Pure: no I/O. The engine supplies what only it knows (ancestor OU and group GUIDs, the target's current
 * values, whether an object is being created).
 */
export {
  SCOPING_OPERATORS,
  SCOPING_OPERATOR_DEFINITIONS,
  SCOPING_OPERATOR_ALIASES,
  resolveScopingOperator,
  renderScopingOperatorReference,
  filterOperatorSchemas,
  type ScopingOperator,
  type ScopingOperatorDefinition,
} from './scoping-operator.ts';
export {
  compileScopingFilter,
  scalarText,
  type ScopingFilter,
  type FilterGroup,
  type FilterClause,
  type FilterOperand,
  type ScopingContext,
  type CompiledScopingFilter,
  type ScopingFilterTrace,
  type GroupSetTrace,
  type GroupTrace,
  type ClauseTrace,
} from './scoping-filter.ts';
export {
  compileContainerScope,
  compileGroupScope,
  canonicalDn,
  pinScopeEntries,
  type PinnedScopeEntries,
  GROUP_SCOPE_NESTING_METADATA_KEY,
  GROUP_SCOPE_NESTINGS,
  type GroupScopeNesting,
  type ContainerFilter,
  type GroupFilter,
  type ObjectPlacement,
  type MembershipScopeTrace,
  type CompiledMembershipScope,
} from './container-scope.ts';
export { compileObjectScope, compileObjectMappingScope, type CompiledObjectScope, type ObjectScopeTrace, type ObjectScopeDefinition } from './object-scope.ts';
export { normalizeGuid, parseScopeReference, formatScopeReference, type ScopeReference } from './object-guid.ts';
export { AD_DEFAULT_EXCLUSIONS, exclusionsToInputFilterGroups, type DefaultExclusion } from './default-exclusions.ts';
export {
  ATTRIBUTE_MAPPING_SOURCE_TYPES,
  expressionOfSource,
  renderSource,
  sourceFromExpression,
  sourceInconsistency,
  type AttributeMappingSource,
  type AttributeMappingSourceType,
} from './attribute-mapping-source.ts';
export {
  ATTRIBUTE_FLOW_TYPES,
  ATTRIBUTE_FLOW_BEHAVIORS,
  OBJECT_FLOW_TYPES,
  ATTRIBUTE_DEFINITION_TYPES,
  MUTABILITIES,
  synchronizationSchemaModel,
  graphEnumEquals,
  findByName,
  metadataValue,
  type AttributeFlowType,
  type AttributeFlowBehavior,
  type ObjectFlowType,
  type SynchronizationSchema,
  type SynchronizationRule,
  type ObjectMapping,
  type AttributeMapping,
  type DirectoryDefinition,
  type ObjectDefinition,
  type AttributeDefinition,
} from './synchronization-schema.ts';
export {
  parseSynchronizationSchema,
  checkSynchronizationSchema,
  toGraphJson,
  type GraphJsonOptions,
  type SchemaProblem,
} from './parse-synchronization-schema.ts';
export { TEMPLATE_IDS, getTemplate, isTemplateId, type TemplateId } from './templates/template-registry.ts';
export { renderTemplateReference } from './templates/template-reference.ts';
export { applyFlowType } from './flow-type.ts';
export {
  compileObjectMapping,
  REDACTED,
  SKIP_REASONS,
  type SkipReason,
  type CompiledObjectMapping,
  type CompiledAttributeMapping,
  type MappingResult,
  type AttributeLineage,
  type MappingError,
  type EvaluateOptions,
} from './mapping-evaluation.ts';
export { toTargetValue, typeOfDefinition, type TargetValueResult } from './target-value.ts';
export {
  compileSynchronizationSchema,
  type CompiledSchema,
  type CompiledSchemaRule,
  type CompiledSchemaObjectMapping,
} from './compiled-schema.ts';
