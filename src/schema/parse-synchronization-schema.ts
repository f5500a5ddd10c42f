/**
 * Import and export of a synchronizationSchema: shape validation (zod), then the checks a shape cannot
 * express, each problem reported with its JSON path.
 *
 * Checks after the shape:
 * - rule source/target directories, and object mappings' source/target objects, exist in `directories`
 *   (when the schema lists them: a template may omit a directory the engine supplies);
 * - target attributes exist on the target object definition, when it lists attributes;
 * - containerFilter, groupFilter and every scope compile (ERR_SCOPE_INVALID at the clause), and scope clauses
 *   name attributes of the source object, when it lists attributes (IS_MEMBER_OF excepted);
 * - every attribute mapping's expression compiles against the source object's attributes
 *   (ERR_EXPR_* at `….source.expression`, with the character position), and its text agrees with its
 *   parameters tree.
 *
 * Error contract: one problem → that problem's own CloudsyncError (so ERR_EXPR_SYNTAX stays ERR_EXPR_SYNTAX,
 * with path and position); several → one ERR_SCHEMA_INVALID whose message lists every problem and whose
 * `details.problems` carries them as { code, path, position?, message }.
 */
import { CloudsyncError, isCloudsyncError, type ErrorCode } from '../errors/index.ts';
import { compileExpression } from '../expressions/index.ts';
import {
  expressionOfSource,
  sourceFromExpression,
  sourceInconsistency,
  sourceType,
  type AttributeMappingSource,
} from './attribute-mapping-source.ts';
import { compileContainerScope, compileGroupScope, GROUP_SCOPE_NESTING_METADATA_KEY, GROUP_SCOPE_NESTINGS } from './container-scope.ts';
import { parseScopeReference } from './object-guid.ts';
import { compileScopingFilter, type ScopingFilter } from './scoping-filter.ts';
import {
  findByName,
  metadataValue,
  synchronizationSchemaModel,
  type ObjectDefinition,
  type SynchronizationSchema,
} from './synchronization-schema.ts';

export interface SchemaProblem {
  readonly code: ErrorCode;
  readonly path: string;
  readonly position?: number;
  readonly message: string;
}

export function formatPath(segments: readonly PropertyKey[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path += path === '' ? String(segment) : `.${String(segment)}`;
  }
  return path;
}

function join(base: string, rest: string | undefined): string {
  if (rest === undefined || rest === '') return base;
  return rest.startsWith('[') ? `${base}${rest}` : `${base}.${rest}`;
}

function problemFrom(error: unknown, fallbackPath: string): SchemaProblem {
  if (!isCloudsyncError(error)) throw error;
  const message = error.message;
  return {
    code: error.code,
    path: error.path ?? fallbackPath,
    ...(error.position === undefined ? {} : { position: error.position }),
    message,
  };
}

function objectAttributes(definition: ObjectDefinition | undefined): ((name: string) => boolean) | undefined {
  const attributes = definition?.attributes;
  if (attributes === null || attributes === undefined || attributes.length === 0) return undefined;
  const names = new Set(attributes.map((a) => a.name.toLowerCase()));
  return (name) => names.has(name.toLowerCase());
}

function checkSemantics(schema: SynchronizationSchema): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const directories = schema.directories ?? [];
  (schema.synchronizationRules ?? []).forEach((rule, r) => {
    const rulePath = `synchronizationRules[${r}]`;
    const sourceDirectory = findByName(directories, rule.sourceDirectoryName);
    const targetDirectory = findByName(directories, rule.targetDirectoryName);
    if (directories.length > 0) {
      for (const [key, found] of [['sourceDirectoryName', sourceDirectory], ['targetDirectoryName', targetDirectory]] as const) {
        if (found === undefined) {
          problems.push({ code: 'ERR_SCHEMA_INVALID', path: `${rulePath}.${key}`,
            message: `${rulePath}.${key}: no directory named ${JSON.stringify(rule[key])}; directories: ${directories.map((d) => d.name).join(', ')}` });
        }
      }
    }
    const nesting = metadataValue(rule.metadata, GROUP_SCOPE_NESTING_METADATA_KEY);
    const knownNesting = GROUP_SCOPE_NESTINGS.find((n) => n.toLowerCase() === (nesting ?? 'Direct').toLowerCase());
    if (knownNesting === undefined) {
      problems.push({ code: 'ERR_SCOPE_INVALID', path: `${rulePath}.metadata`,
        message: `${rulePath}.metadata: ${GROUP_SCOPE_NESTING_METADATA_KEY} must be one of ${GROUP_SCOPE_NESTINGS.join(', ')}` });
    }
    try { compileContainerScope(rule.containerFilter, `${rulePath}.containerFilter`); } catch (e) { problems.push(problemFrom(e, `${rulePath}.containerFilter`)); }
    try { compileGroupScope(rule.groupFilter, { nesting: knownNesting ?? 'Direct' }, `${rulePath}.groupFilter`); } catch (e) { problems.push(problemFrom(e, `${rulePath}.groupFilter`)); }

    (rule.objectMappings ?? []).forEach((objectMapping, o) => {
      const mappingPath = `${rulePath}.objectMappings[${o}]`;
      const sourceObject = findByName(sourceDirectory?.objects, objectMapping.sourceObjectName);
      const targetObject = findByName(targetDirectory?.objects, objectMapping.targetObjectName);
      for (const [key, directory, found] of [
        ['sourceObjectName', sourceDirectory, sourceObject],
        ['targetObjectName', targetDirectory, targetObject],
      ] as const) {
        if (directory !== undefined && (directory.objects ?? []).length > 0 && found === undefined) {
          problems.push({ code: 'ERR_SCHEMA_INVALID', path: `${mappingPath}.${key}`,
            message: `${mappingPath}.${key}: directory ${JSON.stringify(directory.name)} has no object ${JSON.stringify(objectMapping[key])}` });
        }
      }
      try { compileScopingFilter(objectMapping.scope, `${mappingPath}.scope`); } catch (e) { problems.push(problemFrom(e, `${mappingPath}.scope`)); }

      const isKnownSource = objectAttributes(sourceObject);
      // Graph (filterClause): "The source operand name must match one of the attribute names on the source object."
      if (isKnownSource !== undefined) problems.push(...checkScopeOperands(objectMapping.scope, `${mappingPath}.scope`, isKnownSource, objectMapping.sourceObjectName));
      const isKnownTarget = objectAttributes(targetObject);
      (objectMapping.attributeMappings ?? []).forEach((mapping, a) => {
        const attributePath = `${mappingPath}.attributeMappings[${a}]`;
        if (isKnownTarget !== undefined && !isKnownTarget(mapping.targetAttributeName)) {
          problems.push({ code: 'ERR_SCHEMA_INVALID', path: `${attributePath}.targetAttributeName`,
            message: `${attributePath}.targetAttributeName: object ${JSON.stringify(objectMapping.targetObjectName)} has no attribute ${JSON.stringify(mapping.targetAttributeName)}` });
        }
        const source = mapping.source;
        if (source === null || source === undefined) return;
        problems.push(...checkSource(source, `${attributePath}.source`, isKnownSource));
      });
    });
  });
  return problems;
}

const MEMBERSHIP_OPERATORS = new Set(['IS_MEMBER_OF']);

function checkScopeOperands(scope: ScopingFilter | null | undefined, path: string, isKnown: (name: string) => boolean, objectName: string): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const set of ['groups', 'inputFilterGroups', 'categoryFilterGroups'] as const) {
    (scope?.[set] ?? []).forEach((group, g) => {
      (group.clauses ?? []).forEach((clause, c) => {
        if (MEMBERSHIP_OPERATORS.has(clause.operatorName) || isKnown(clause.sourceOperandName)) return;
        const clausePath = `${path}.${set}[${g}].clauses[${c}].sourceOperandName`;
        problems.push({ code: 'ERR_SCOPE_INVALID', path: clausePath,
          message: `${clausePath}: object ${JSON.stringify(objectName)} has no attribute ${JSON.stringify(clause.sourceOperandName)}` });
      });
    });
  }
  return problems;
}

function checkSource(source: AttributeMappingSource, path: string, isKnownAttribute: ((name: string) => boolean) | undefined): SchemaProblem[] {
  const type = sourceType(source);
  if (type === undefined) return [{ code: 'ERR_SCHEMA_INVALID', path: `${path}.type`, message: `${path}.type: must be Attribute, Constant or Function` }];
  if (type !== 'Constant' && (source.name ?? '') === '' && (source.expression ?? '') === '') {
    return [{ code: 'ERR_SCHEMA_INVALID', path: `${path}.name`, message: `${path}.name: a ${type} source needs a name or an expression` }];
  }
  const text = expressionOfSource(source);
  const textPath = typeof source.expression === 'string' && source.expression.trim() !== '' ? `${path}.expression` : path;
  try {
    compileExpression(text, isKnownAttribute === undefined ? {} : { isKnownAttribute });
  } catch (error) {
    const problem = problemFrom(error, textPath);
    const positioned = problem.position === undefined || /position \d/.test(problem.message);
    const message = `${textPath}: ${problem.message}${positioned ? '' : ` (at position ${problem.position})`}`;
    return [{ ...problem, path: textPath, message }];
  }
  const inconsistency = sourceInconsistency(source);
  if (inconsistency !== undefined) return [{ code: 'ERR_SCHEMA_INVALID', path, message: `${path}: ${inconsistency}` }];
  return [];
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) deepFreeze(child);
  }
  return value;
}

/** Problems with a schema as JSON, without throwing: [] when it is valid. */
export function checkSynchronizationSchema(json: unknown): SchemaProblem[] {
  const shape = synchronizationSchemaModel.safeParse(json);
  if (!shape.success) {
    return shape.error.issues.map((issue) => {
      const path = formatPath(issue.path);
      return { code: 'ERR_SCHEMA_INVALID' as const, path, message: `${path === '' ? '(schema)' : path}: ${issue.message}` };
    });
  }
  return checkSemantics(json as SynchronizationSchema);
}

/**
 * Validates Graph synchronizationSchema JSON and returns it unchanged (a deep-frozen copy: unknown Graph
 * properties kept). Throws as described in the file header.
 */
export function parseSynchronizationSchema(json: unknown, options: { readonly path?: string } = {}): SynchronizationSchema {
  const problems = checkSynchronizationSchema(json);
  const prefix = options.path;
  const located = prefix === undefined ? problems : problems.map((p) => ({ ...p, path: join(prefix, p.path), message: `${prefix}.${p.message}` }));
  if (located.length === 1) {
    const [only] = located as [SchemaProblem];
    throw new CloudsyncError(only.code, only.message, { path: only.path, ...(only.position === undefined ? {} : { position: only.position }) });
  }
  if (located.length > 1) {
    throw new CloudsyncError('ERR_SCHEMA_INVALID',
      `the synchronization schema has ${located.length} problems:\n${located.map((p) => `- ${p.message}`).join('\n')}`,
      { path: located[0]?.path, details: { problems: located } });
  }
  return deepFreeze(structuredClone(json) as SynchronizationSchema);
}

export interface GraphJsonOptions {
  /**
   * For Microsoft's own Graph (moving a configuration back to Entra): scope entries lose their GUID pins
   * (`<GUID=…>;OU=Sales,…` → `OU=Sales,…`, the DN form Entra expects) and our GroupScopeNesting rule metadata is
   * dropped (Entra's group scope is first-level only). Off by default: our own API keeps both.
   */
  readonly forMicrosoftEntra?: boolean;
}

/**
 * The JSON to give Graph: every attribute mapping source carries both its text and its tree, so Entra's
 * portal (which reads the tree) and scripts (which read the text) see the same mapping.
 */
export function toGraphJson(schema: SynchronizationSchema, options: GraphJsonOptions = {}): SynchronizationSchema {
  type MutableRule = {
    metadata?: { key: string }[] | null;
    containerFilter?: { includedContainers?: string[] | null } | null;
    groupFilter?: { includedGroups?: string[] | null } | null;
    objectMappings?: { attributeMappings?: { source?: AttributeMappingSource | null }[] }[];
  };
  const copy = structuredClone(schema) as { synchronizationRules?: MutableRule[] };
  for (const rule of copy.synchronizationRules ?? []) {
    for (const objectMapping of rule.objectMappings ?? []) {
      for (const mapping of objectMapping.attributeMappings ?? []) {
        if (mapping.source !== null && mapping.source !== undefined) mapping.source = completeSource(mapping.source);
      }
    }
    if (options.forMicrosoftEntra === true) {
      const unpin = (entries: string[] | null | undefined) => entries?.map((entry) => parseScopeReference(entry).dn ?? entry);
      if (rule.containerFilter?.includedContainers) rule.containerFilter.includedContainers = unpin(rule.containerFilter.includedContainers) ?? null;
      if (rule.groupFilter?.includedGroups) rule.groupFilter.includedGroups = unpin(rule.groupFilter.includedGroups) ?? null;
      if (rule.metadata) rule.metadata = rule.metadata.filter((m) => m.key.toLowerCase() !== GROUP_SCOPE_NESTING_METADATA_KEY.toLowerCase());
    }
  }
  return copy as SynchronizationSchema;
}

function completeSource(source: AttributeMappingSource): AttributeMappingSource {
  const text = expressionOfSource(source);
  const hasTree = sourceType(source) !== 'Function' || (source.name ?? '') !== '';
  if (hasTree) return { ...source, expression: text, parameters: (source.parameters ?? []).map((p) => ({ ...p, value: completeSource(p.value) })) };
  const tree = sourceFromExpression(text);
  return { ...source, ...tree, expression: text };
}
