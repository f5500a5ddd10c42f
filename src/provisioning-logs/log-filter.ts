/**
 * `$filter` on the audit logs: the OData parser's FilterNode (src/api/odata/filter-parser.ts) → a SQL condition
 * over one log table, for the properties that table declares filterable. Graph documents for
 * `GET /auditLogs/provisioning`: "$filter (eq, contains, ge, le) on activityDateTime, provisioningAction,
 * provisioningStatusInfo/status, jobId, servicePrincipal/id, sourceIdentity/id, …"; for directoryAudits:
 * "activityDateTime, activityDisplayName, category, initiatedBy/app/appId, result, targetResources/any(…)".
 *
 * Served here: comparisons, `in`, `and`, `or`, `not` on the declared properties. Property names and enum values
 * are matched case-insensitively (Graph writes `failure`, the portal `Failure`; both work). Anything else is
 * ERR_ODATA_FILTER naming the property, without a position, so it answers as Graph's Request_UnsupportedQuery.
 */
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { CloudsyncError } from '../errors/index.ts';
import type { ComparisonOperator, FilterLiteral, FilterNode } from '../directory/query.ts';

export const FILTER_PROPERTY_KINDS = ['dateTime', 'text', 'enum'] as const;
export type FilterPropertyKind = (typeof FILTER_PROPERTY_KINDS)[number];

export interface FilterableProperty {
  /** The Graph property path as documented (`provisioningStatusInfo/status`). */
  readonly name: string;
  readonly column: string;
  readonly kind: FilterPropertyKind;
  /** enum: Graph's value (lower camel case) → the value stored in the column. */
  readonly values?: Readonly<Record<string, string>>;
  /** Default: eq, ne and in for text and enum; every comparison for date-times. */
  readonly operators?: readonly ComparisonOperator[];
}

const SQL_OPERATORS: Readonly<Record<ComparisonOperator, '=' | '<>' | '>' | '>=' | '<' | '<='>> = {
  eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=',
};

function unsupported(message: string, property?: string): CloudsyncError {
  return new CloudsyncError('ERR_ODATA_FILTER', message, { path: '$filter', ...(property === undefined ? {} : { details: { property } }) });
}

function operatorsOf(property: FilterableProperty): readonly ComparisonOperator[] {
  return property.operators ?? (property.kind === 'dateTime' ? ['eq', 'ne', 'gt', 'ge', 'lt', 'le'] : ['eq', 'ne']);
}

/** A literal as the column stores it: date-times normalized to ISO with milliseconds, enums to stored values. */
function columnValue(property: FilterableProperty, value: FilterLiteral): string | null {
  if (value === null) {
    if (property.kind !== 'text') throw unsupported(`${property.name} is never null; compare it with a value.`, property.name);
    return null;
  }
  if (typeof value !== 'string') throw unsupported(`${property.name} is compared with a quoted string or date-time, not ${JSON.stringify(value)}.`, property.name);
  if (property.kind === 'dateTime') {
    // `2026-11-24T00:00:00Z` and the stored `2026-11-24T00:00:00.000Z` must compare as the same instant.
    const time = Date.parse(value);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(time)) {
      throw unsupported(`${property.name} is compared with a date-time such as 2026-11-24T00:00:00Z, not '${value}'.`, property.name);
    }
    return new Date(time).toISOString();
  }
  if (property.kind === 'enum') {
    const values = property.values ?? {};
    const match = Object.keys(values).find((graph) => graph.toLowerCase() === value.toLowerCase());
    if (match === undefined) throw unsupported(`${property.name} is one of ${Object.keys(values).join(', ')}; '${value}' is not.`, property.name);
    return values[match]!;
  }
  return value;
}

export function compileLogFilter(
  filter: FilterNode,
  properties: readonly FilterableProperty[],
): (eb: ExpressionBuilder<any, any>) => Expression<SqlBool> {
  const byName = new Map(properties.map((property) => [property.name.toLowerCase(), property]));
  const propertyOf = (name: string): FilterableProperty => {
    const property = byName.get(name.toLowerCase());
    if (property === undefined) {
      throw unsupported(`filtering on '${name}' is not supported here; filterable properties: ${properties.map((p) => p.name).join(', ')}.`, name);
    }
    return property;
  };
  const compile = (eb: ExpressionBuilder<any, any>, node: FilterNode): Expression<SqlBool> => {
    switch (node.kind) {
      case 'and':
        return eb.and([compile(eb, node.left), compile(eb, node.right)]);
      case 'or':
        return eb.or([compile(eb, node.left), compile(eb, node.right)]);
      case 'not':
        return eb.not(compile(eb, node.operand));
      case 'comparison': {
        const property = propertyOf(node.property);
        if (!operatorsOf(property).includes(node.operator)) {
          throw unsupported(`${property.name} supports ${operatorsOf(property).join(', ')}, not '${node.operator}'.`, property.name);
        }
        const value = columnValue(property, node.value);
        if (value === null) return eb(property.column, node.operator === 'eq' ? 'is' : 'is not', null);
        return eb(property.column, SQL_OPERATORS[node.operator], value);
      }
      case 'in': {
        const property = propertyOf(node.property);
        if (property.kind === 'dateTime') throw unsupported(`${property.name} does not support 'in'; use ge and le.`, property.name);
        const values = node.values.map((value) => columnValue(property, value));
        if (values.some((value) => value === null)) throw unsupported(`'in' takes values, not null (${property.name}).`, property.name);
        return eb(property.column, 'in', values as string[]);
      }
      case 'stringFunction':
      case 'any':
        throw unsupported(`${node.kind === 'any' ? `${node.collection}/any(…)` : `${node.function}(${node.property}, …)`} is not supported on this log; use eq, ne, in or a date-time range.`, node.kind === 'any' ? node.collection : node.property);
    }
  };
  return (eb) => compile(eb, filter);
}
