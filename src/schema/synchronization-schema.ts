/**
 * The model of Graph's synchronizationSchema, in zod 4, with Graph's property names and casing.
 *
 * Graph (synchronizationSchema): "directories — Describes directories and objects that are part of the
 * synchronizationJob or synchronizationTemplate. synchronizationRules — A collection of synchronization rules
 * … version — The version of the schema, updated automatically with every schema change."
 * synchronizationRule: editable, id, metadata, name, objectMappings, priority, sourceDirectoryName,
 * targetDirectoryName, plus containerFilter and groupFilter ("only used by … cloud sync scenarios").
 * objectMapping: attributeMappings, enabled, flowTypes ("The default is `Add, Update, Delete`"), metadata,
 * name, scope (filter), sourceObjectName, targetObjectName.
 * attributeMapping: defaultValue, exportMissingReferences ("For internal use only"), flowBehavior
 * (FlowWhenChanged default | FlowAlways), flowType (Always default | ObjectAddOnly | MultiValueAddOnly |
 * ValueAddOnly | AttributeAddOnly), matchingPriority ("If higher than 0, this attribute will be used to
 * perform an initial match"), source, targetAttributeName.
 * directoryDefinition: discoverabilities, discoveryDateTime, id, metadata, name, objects, readOnly, version.
 * objectDefinition: attributes, metadata, name, supportedApis.
 * attributeDefinition: anchor, apiExpressions, caseExact, defaultValue, flowNullValues, metadata,
 * multivalued, mutability (ReadWrite | ReadOnly | Immutable | WriteOnly), name, referencedObjects, required,
 * type (String | Integer | Reference | Binary | Boolean | DateTime).
 *
 * Invariants:
 * - Every object is a zod `looseObject`: properties we do not model (`@odata.type`, fields Graph adds later)
 *   survive import and export untouched, so a schema read from Entra can be written back to Entra.
 * - Enumerations are accepted in any letter case (Graph's own samples write `"type": "string"`) and kept as
 *   written; code compares them through `graphEnumEquals`.
 * - Optional properties accept `null`, which Graph returns for unset values.
 */
import { z } from 'zod';
import type { AttributeMappingSource } from './attribute-mapping-source.ts';
import { ATTRIBUTE_MAPPING_SOURCE_TYPES } from './attribute-mapping-source.ts';
import type { FilterGroup, ScopingFilter } from './scoping-filter.ts';

export const ATTRIBUTE_FLOW_TYPES = ['Always', 'ObjectAddOnly', 'MultiValueAddOnly', 'ValueAddOnly', 'AttributeAddOnly'] as const;
export type AttributeFlowType = (typeof ATTRIBUTE_FLOW_TYPES)[number];

export const ATTRIBUTE_FLOW_BEHAVIORS = ['FlowWhenChanged', 'FlowAlways'] as const;
export type AttributeFlowBehavior = (typeof ATTRIBUTE_FLOW_BEHAVIORS)[number];

export const OBJECT_FLOW_TYPES = ['Add', 'Update', 'Delete'] as const;
export type ObjectFlowType = (typeof OBJECT_FLOW_TYPES)[number];

export const ATTRIBUTE_DEFINITION_TYPES = ['String', 'Integer', 'Reference', 'Binary', 'Boolean', 'DateTime'] as const;
export type AttributeDefinitionType = (typeof ATTRIBUTE_DEFINITION_TYPES)[number];

export const MUTABILITIES = ['ReadWrite', 'ReadOnly', 'Immutable', 'WriteOnly'] as const;
export type Mutability = (typeof MUTABILITIES)[number];

/** Graph's evolvable enumerations all carry this sentinel. */
const UNKNOWN_FUTURE_VALUE = 'unknownFutureValue';

export function graphEnumEquals(value: string | null | undefined, expected: string): boolean {
  return typeof value === 'string' && value.toLowerCase() === expected.toLowerCase();
}

function graphEnum(values: readonly string[]) {
  const lower = new Set([...values, UNKNOWN_FUTURE_VALUE].map((v) => v.toLowerCase()));
  return z.string().refine((v) => lower.has(v.toLowerCase()), { message: `must be one of ${values.join(', ')}` });
}

/** objectFlowTypes is a flags enum serialized as "Add, Update, Delete". */
const objectFlowTypes = z.string().refine(
  (v) => v.trim() === '' || v.split(',').every((part) => OBJECT_FLOW_TYPES.some((t) => t.toLowerCase() === part.trim().toLowerCase()) || part.trim().toLowerCase() === 'none'),
  { message: `must be a comma-separated list of ${OBJECT_FLOW_TYPES.join(', ')}` },
);

const keyValue = z.looseObject({ key: z.string(), value: z.string().nullish() });

const filterOperand = z.looseObject({ values: z.array(z.string()).nullish() });
const filterClause = z.looseObject({
  operatorName: z.string().min(1),
  sourceOperandName: z.string().min(1),
  targetOperand: filterOperand.nullish(),
});
const filterGroup = z.looseObject({ name: z.string().nullish(), clauses: z.array(filterClause).nullish() });
const filter = z.looseObject({
  groups: z.array(filterGroup).nullish(),
  inputFilterGroups: z.array(filterGroup).nullish(),
  categoryFilterGroups: z.array(filterGroup).nullish(),
});

const attributeMappingSource: z.ZodType<AttributeMappingSource> = z.looseObject({
  type: graphEnum(ATTRIBUTE_MAPPING_SOURCE_TYPES).nullish(),
  name: z.string().nullish(),
  expression: z.string().nullish(),
  get parameters() {
    return z.array(z.looseObject({ key: z.string(), value: attributeMappingSource })).nullish();
  },
});

const attributeMapping = z.looseObject({
  defaultValue: z.string().nullish(),
  exportMissingReferences: z.boolean().nullish(),
  flowBehavior: graphEnum(ATTRIBUTE_FLOW_BEHAVIORS).nullish(),
  flowType: graphEnum(ATTRIBUTE_FLOW_TYPES).nullish(),
  matchingPriority: z.number().int().min(0).nullish(),
  source: attributeMappingSource.nullish(),
  targetAttributeName: z.string().min(1),
});

const objectMapping = z.looseObject({
  attributeMappings: z.array(attributeMapping).nullish(),
  enabled: z.boolean().nullish(),
  flowTypes: objectFlowTypes.nullish(),
  metadata: z.array(keyValue).nullish(),
  name: z.string().nullish(),
  scope: filter.nullish(),
  sourceObjectName: z.string().min(1),
  targetObjectName: z.string().min(1),
});

const synchronizationRule = z.looseObject({
  containerFilter: z.looseObject({ includedContainers: z.array(z.string()).nullish() }).nullish(),
  editable: z.boolean().nullish(),
  groupFilter: z.looseObject({ includedGroups: z.array(z.string()).nullish() }).nullish(),
  id: z.string().nullish(),
  metadata: z.array(keyValue).nullish(),
  name: z.string().nullish(),
  objectMappings: z.array(objectMapping).nullish(),
  priority: z.number().int().nullish(),
  sourceDirectoryName: z.string().min(1),
  targetDirectoryName: z.string().min(1),
});

const attributeDefinition = z.looseObject({
  anchor: z.boolean().nullish(),
  apiExpressions: z.array(z.looseObject({ key: z.string().nullish(), value: z.string().nullish() })).nullish(),
  caseExact: z.boolean().nullish(),
  defaultValue: z.string().nullish(),
  flowNullValues: z.boolean().nullish(),
  metadata: z.array(keyValue).nullish(),
  multivalued: z.boolean().nullish(),
  mutability: graphEnum(MUTABILITIES).nullish(),
  name: z.string().min(1),
  referencedObjects: z.array(z.looseObject({ referencedObjectName: z.string().nullish(), referencedProperty: z.string().nullish() })).nullish(),
  required: z.boolean().nullish(),
  type: graphEnum(ATTRIBUTE_DEFINITION_TYPES).nullish(),
});

const objectDefinition = z.looseObject({
  attributes: z.array(attributeDefinition).nullish(),
  metadata: z.array(keyValue).nullish(),
  name: z.string().min(1),
  supportedApis: z.array(z.string()).nullish(),
});

const directoryDefinition = z.looseObject({
  discoverabilities: z.string().nullish(),
  discoveryDateTime: z.string().nullish(),
  id: z.string().nullish(),
  metadata: z.array(keyValue).nullish(),
  name: z.string().min(1),
  objects: z.array(objectDefinition).nullish(),
  readOnly: z.boolean().nullish(),
  version: z.string().nullish(),
});

export const synchronizationSchemaModel = z.looseObject({
  id: z.string().nullish(),
  directories: z.array(directoryDefinition).nullish(),
  provisioningTaskIdentifier: z.string().nullish(),
  synchronizationRules: z.array(synchronizationRule).nullish(),
  version: z.string().nullish(),
});

// ---------------------------------------------------------------------------------------------------------
// The TypeScript view of a validated schema. Index signatures carry the Graph properties we keep but do not use.

export interface KeyValue { readonly key: string; readonly value?: string | null; readonly [extra: string]: unknown }

export interface AttributeMapping {
  readonly defaultValue?: string | null;
  readonly exportMissingReferences?: boolean | null;
  readonly flowBehavior?: string | null;
  readonly flowType?: string | null;
  readonly matchingPriority?: number | null;
  readonly source?: AttributeMappingSource | null;
  readonly targetAttributeName: string;
  readonly [extra: string]: unknown;
}

export interface ObjectMapping {
  readonly attributeMappings?: readonly AttributeMapping[] | null;
  readonly enabled?: boolean | null;
  readonly flowTypes?: string | null;
  readonly metadata?: readonly KeyValue[] | null;
  readonly name?: string | null;
  readonly scope?: (ScopingFilter & { readonly [extra: string]: unknown }) | null;
  readonly sourceObjectName: string;
  readonly targetObjectName: string;
  readonly [extra: string]: unknown;
}

export interface SynchronizationRule {
  readonly containerFilter?: { readonly includedContainers?: readonly string[] | null; readonly [extra: string]: unknown } | null;
  readonly editable?: boolean | null;
  readonly groupFilter?: { readonly includedGroups?: readonly string[] | null; readonly [extra: string]: unknown } | null;
  readonly id?: string | null;
  readonly metadata?: readonly KeyValue[] | null;
  readonly name?: string | null;
  readonly objectMappings?: readonly ObjectMapping[] | null;
  readonly priority?: number | null;
  readonly sourceDirectoryName: string;
  readonly targetDirectoryName: string;
  readonly [extra: string]: unknown;
}

export interface AttributeDefinition {
  readonly anchor?: boolean | null;
  readonly caseExact?: boolean | null;
  readonly defaultValue?: string | null;
  readonly flowNullValues?: boolean | null;
  readonly metadata?: readonly KeyValue[] | null;
  readonly multivalued?: boolean | null;
  readonly mutability?: string | null;
  readonly name: string;
  readonly referencedObjects?: readonly { readonly referencedObjectName?: string | null; readonly referencedProperty?: string | null }[] | null;
  readonly required?: boolean | null;
  readonly type?: string | null;
  readonly [extra: string]: unknown;
}

export interface ObjectDefinition {
  readonly attributes?: readonly AttributeDefinition[] | null;
  readonly metadata?: readonly KeyValue[] | null;
  readonly name: string;
  readonly supportedApis?: readonly string[] | null;
  readonly [extra: string]: unknown;
}

export interface DirectoryDefinition {
  readonly discoverabilities?: string | null;
  readonly discoveryDateTime?: string | null;
  readonly id?: string | null;
  readonly metadata?: readonly KeyValue[] | null;
  readonly name: string;
  readonly objects?: readonly ObjectDefinition[] | null;
  readonly readOnly?: boolean | null;
  readonly version?: string | null;
  readonly [extra: string]: unknown;
}

export interface SynchronizationSchema {
  readonly id?: string | null;
  readonly directories?: readonly DirectoryDefinition[] | null;
  readonly provisioningTaskIdentifier?: string | null;
  readonly synchronizationRules?: readonly SynchronizationRule[] | null;
  readonly version?: string | null;
  readonly [extra: string]: unknown;
}

export type { FilterGroup, ScopingFilter };

/** Case-insensitive lookup, as attribute and object names are in AD and in Graph's schema. */
export function findByName<T extends { readonly name: string }>(items: readonly T[] | null | undefined, name: string): T | undefined {
  const lower = name.toLowerCase();
  return items?.find((item) => item.name.toLowerCase() === lower);
}

export function metadataValue(metadata: readonly KeyValue[] | null | undefined, key: string): string | undefined {
  const entry = metadata?.find((m) => m.key.toLowerCase() === key.toLowerCase());
  return entry?.value ?? undefined;
}
