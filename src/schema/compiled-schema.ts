/**
 * A whole synchronizationSchema compiled for the engine: per rule, per object mapping, the compiled attribute
 * mappings (typed by the target object definition, checked against the source object's attributes) and the
 * compiled scope. What a configuration holds between cycles; built once when the configuration is saved or
 * loaded, after parseSynchronizationSchema has accepted it.
 *
 * Graph (synchronizationRule): "priority — Rules with the lowest priority number will be processed first."
 * (objectMapping) "enabled — When true, this object mapping will be processed during synchronization. When
 * false, this object mapping will be skipped." "flowTypes — … The default is Add, Update, Delete."
 */
import { compileObjectMapping, type CompiledObjectMapping } from './mapping-evaluation.ts';
import { compileObjectMappingScope, type CompiledObjectScope } from './object-scope.ts';
import {
  findByName,
  OBJECT_FLOW_TYPES,
  type ObjectDefinition,
  type ObjectFlowType,
  type SynchronizationSchema,
} from './synchronization-schema.ts';

export interface CompiledSchemaObjectMapping {
  readonly path: string;
  readonly enabled: boolean;
  readonly flowTypes: ReadonlySet<ObjectFlowType>;
  readonly mapping: CompiledObjectMapping;
  readonly scope: CompiledObjectScope;
}

export interface CompiledSchemaRule {
  readonly path: string;
  readonly id: string | undefined;
  readonly name: string | undefined;
  readonly priority: number;
  readonly sourceDirectoryName: string;
  readonly targetDirectoryName: string;
  readonly objectMappings: readonly CompiledSchemaObjectMapping[];
}

export interface CompiledSchema {
  /** rules in processing order (lowest priority number first; schema order for ties) */
  readonly rules: readonly CompiledSchemaRule[];
}

function parseFlowTypes(flowTypes: string | null | undefined): ReadonlySet<ObjectFlowType> {
  if (flowTypes === null || flowTypes === undefined) return new Set(OBJECT_FLOW_TYPES);
  const parts = flowTypes.split(',').map((p) => p.trim().toLowerCase());
  return new Set(OBJECT_FLOW_TYPES.filter((t) => parts.includes(t.toLowerCase())));
}

function attributeChecker(definition: ObjectDefinition | undefined): ((name: string) => boolean) | undefined {
  const attributes = definition?.attributes;
  if (attributes === null || attributes === undefined || attributes.length === 0) return undefined;
  const names = new Set(attributes.map((a) => a.name.toLowerCase()));
  return (name) => names.has(name.toLowerCase());
}

/**
 * Compiles a schema that parseSynchronizationSchema accepted. Given one it would refuse, a bad scope throws
 * (ERR_SCOPE_INVALID, or a TypeError for unknown GroupScopeNesting metadata) and a bad mapping becomes an error
 * value of every evaluation, as compileObjectMapping does.
 */
export function compileSynchronizationSchema(schema: SynchronizationSchema): CompiledSchema {
  const rules = (schema.synchronizationRules ?? []).map((rule, r): CompiledSchemaRule => {
    const rulePath = `synchronizationRules[${r}]`;
    const sourceDirectory = findByName(schema.directories, rule.sourceDirectoryName);
    const targetDirectory = findByName(schema.directories, rule.targetDirectoryName);
    const objectMappings = (rule.objectMappings ?? []).map((objectMapping, o): CompiledSchemaObjectMapping => {
      const path = `${rulePath}.objectMappings[${o}]`;
      const sourceObject = findByName(sourceDirectory?.objects, objectMapping.sourceObjectName);
      const targetObject = findByName(targetDirectory?.objects, objectMapping.targetObjectName);
      const isKnownAttribute = attributeChecker(sourceObject);
      return Object.freeze({
        path,
        enabled: objectMapping.enabled !== false,
        flowTypes: parseFlowTypes(objectMapping.flowTypes),
        mapping: compileObjectMapping(objectMapping, {
          path,
          ...(isKnownAttribute === undefined ? {} : { isKnownAttribute }),
          ...(targetObject === undefined ? {} : { targetObject }),
        }),
        scope: compileObjectMappingScope(rule, objectMapping, rulePath, path),
      });
    });
    return Object.freeze({
      path: rulePath,
      id: rule.id ?? undefined,
      name: rule.name ?? undefined,
      priority: rule.priority ?? 0,
      sourceDirectoryName: rule.sourceDirectoryName,
      targetDirectoryName: rule.targetDirectoryName,
      objectMappings: Object.freeze(objectMappings),
    });
  });
  const ordered = rules.map((rule, index) => ({ rule, index })).sort((a, b) => a.rule.priority - b.rule.priority || a.index - b.index).map((e) => e.rule);
  return Object.freeze({ rules: Object.freeze(ordered) });
}
