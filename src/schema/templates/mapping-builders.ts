/**
 * Small constructors for the template data, so each template reads as a table of target ← source rows.
 * They produce plain Graph JSON (every property Graph returns for a mapping, with its default), never
 * anything only our code understands.
 */
import { sourceFromExpression } from '../attribute-mapping-source.ts';
import type { AttributeFlowType } from '../synchronization-schema.ts';

export interface MappingOptions {
  readonly defaultValue?: string;
  readonly flowType?: AttributeFlowType;
  readonly matchingPriority?: number;
}

export interface TemplateAttributeMapping {
  defaultValue: string | null;
  exportMissingReferences: boolean;
  flowBehavior: 'FlowWhenChanged';
  flowType: AttributeFlowType;
  matchingPriority: number;
  source: Record<string, unknown> | null;
  targetAttributeName: string;
}

/** `target ← expression` (a bare `[attribute]` becomes an Attribute source, as Entra's "Direct" mapping). */
export function mapping(targetAttributeName: string, expression: string | null, options: MappingOptions = {}): TemplateAttributeMapping {
  return {
    defaultValue: options.defaultValue ?? null,
    exportMissingReferences: false,
    flowBehavior: 'FlowWhenChanged',
    flowType: options.flowType ?? 'Always',
    matchingPriority: options.matchingPriority ?? 0,
    source: expression === null ? null : (sourceFromExpression(expression) as Record<string, unknown>),
    targetAttributeName,
  };
}

export type TemplateAttributeType = 'String' | 'Integer' | 'Boolean' | 'Binary' | 'Reference' | 'DateTime';

export interface TemplateAttributeDefinition {
  anchor: boolean;
  caseExact: boolean;
  defaultValue: null;
  flowNullValues: boolean;
  metadata: { key: string; value: string }[];
  multivalued: boolean;
  mutability: 'ReadWrite' | 'ReadOnly' | 'Immutable';
  name: string;
  referencedObjects: { referencedObjectName: string; referencedProperty: null }[];
  required: boolean;
  type: TemplateAttributeType;
}

export interface AttributeSpec {
  readonly type?: TemplateAttributeType;
  readonly multivalued?: boolean;
  readonly anchor?: boolean;
  readonly required?: boolean;
  readonly references?: string;
  readonly mutability?: 'ReadWrite' | 'ReadOnly' | 'Immutable';
}

/** `name` or `name:Type[]` shorthand → a full attributeDefinition. */
export function attribute(name: string, spec: AttributeSpec = {}): TemplateAttributeDefinition {
  return {
    anchor: spec.anchor ?? false,
    caseExact: false,
    defaultValue: null,
    flowNullValues: false,
    metadata: [],
    multivalued: spec.multivalued ?? false,
    mutability: spec.mutability ?? 'ReadWrite',
    name,
    referencedObjects: spec.references === undefined ? [] : [{ referencedObjectName: spec.references, referencedProperty: null }],
    required: spec.required ?? false,
    type: spec.type ?? (spec.references === undefined ? 'String' : 'Reference'),
  };
}

export function attributes(names: readonly string[], specs: Readonly<Record<string, AttributeSpec>> = {}): TemplateAttributeDefinition[] {
  return names.map((name) => attribute(name, specs[name]));
}

export const DEFAULT_OBJECT_MAPPING_METADATA = [
  { key: 'IsCustomerDefined', value: 'false' },
  { key: 'Disposition', value: '"Normal"' },
  { key: 'EscrowBehavior', value: '"Default"' },
] as const;
