/**
 * Translates a FilterNode (query.ts) into a SQL predicate over `directory_objects AS o`, for SQLite and
 * PostgreSQL.
 *
 * Semantics (Graph's, where Graph defines them):
 * - String comparisons are case-insensitive (`lower()` on both sides); `userPrincipalName` compares its lower-cased
 *   indexed column, so `userPrincipalName eq '…'` is one index lookup, and `id` compares the primary key.
 * - Every leaf is two-valued: a property without a value matches `eq null` and `ne '…'`, and nothing else, so
 *   `not(...)` is the exact complement.
 * - Collections (proxyAddresses, otherMails, groupTypes, multi-valued extensions, …) are filtered only through
 *   `any()`; the lambda variable stands for one element.
 * - Properties may be catalog properties marked filterable, `onPremisesExtensionAttributes/extensionAttributeN`,
 *   or directory extensions registered in the tenant. Anything else is ERR_ODATA_FILTER naming it.
 *
 * Property names are validated against the catalog before they reach SQL text; values are always parameters.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { CloudsyncError } from '../errors/index.ts';
import type { SqlDialect } from './directory-store.ts';
import type { ExtensionDefinition } from './extension-definition.ts';
import type { ObjectType } from './object-types.ts';
import { EXTENSION_ATTRIBUTE_NAMES, EXTENSION_NAME_PATTERN, propertyDefinition } from './property-catalog.ts';
import type { ComparisonOperator, FilterLiteral, FilterNode } from './query.ts';

type Sql = RawBuilder<unknown>;

export interface FilterContext {
  readonly dialect: SqlDialect;
  readonly type: ObjectType;
  readonly extensions: ReadonlyMap<string, ExtensionDefinition>;
}

const SCALAR_KINDS = ['string', 'boolean', 'number', 'dateTime', 'id', 'upn'] as const;
type ScalarKind = (typeof SCALAR_KINDS)[number];

interface Operand {
  /** Reads the value (NULL when absent). For collections: the JSON array. */
  readonly sql: Sql;
  readonly kind: ScalarKind;
  readonly collection: boolean;
  /** The element's JSON path segments, for collections. */
  readonly path: readonly string[];
  readonly name: string;
}

const SQL_OPERATORS: Readonly<Record<ComparisonOperator, string>> = Object.freeze({
  eq: '=',
  ne: '<>',
  gt: '>',
  ge: '>=',
  lt: '<',
  le: '<=',
});

function filterError(message: string, property?: string): CloudsyncError {
  return new CloudsyncError('ERR_ODATA_FILTER', message, { path: '$filter', ...(property === undefined ? {} : { details: { property } }) });
}

function jsonScalar(dialect: SqlDialect, path: readonly string[], kind: ScalarKind): Sql {
  if (dialect === 'sqlite') return sql`json_extract(o.data, ${sql.lit('$.' + path.join('.'))})`;
  const parents = path.slice(0, -1).map((segment) => sql` -> ${sql.lit(segment)}`);
  const text = sql`((o.data::jsonb)${sql.join(parents, sql``)} ->> ${sql.lit(path[path.length - 1]!)})`;
  return kind === 'number' ? sql`(${text})::numeric` : text;
}

function jsonArray(dialect: SqlDialect, path: readonly string[]): Sql {
  if (dialect === 'sqlite') return sql`json_each(o.data, ${sql.lit('$.' + path.join('.'))})`;
  return sql`jsonb_array_elements_text((o.data::jsonb) -> ${sql.lit(path[0]!)})`;
}

function resolveProperty(context: FilterContext, property: string): Operand {
  const { dialect, type } = context;
  const slash = property.indexOf('/');
  if (slash >= 0) {
    const [parent, child] = [property.slice(0, slash), property.slice(slash + 1)];
    if (parent === 'onPremisesExtensionAttributes' && type === 'user' && EXTENSION_ATTRIBUTE_NAMES.includes(child)) {
      const path = [parent, child];
      return { sql: jsonScalar(dialect, path, 'string'), kind: 'string', collection: false, path, name: property };
    }
    throw filterError(`${property} is not a filterable property of ${type}`, property);
  }
  if (property.startsWith('extension_')) {
    const extension = context.extensions.get(property);
    if (!EXTENSION_NAME_PATTERN.test(property) || extension === undefined) {
      throw filterError(`${property} is not a directory extension registered in this tenant`, property);
    }
    const kind: ScalarKind =
      extension.dataType === 'Integer' || extension.dataType === 'LargeInteger'
        ? 'number'
        : extension.dataType === 'Boolean'
          ? 'boolean'
          : extension.dataType === 'DateTime'
            ? 'dateTime'
            : 'string';
    const path = [property];
    return extension.isMultiValued
      ? { sql: jsonArray(dialect, path), kind, collection: true, path, name: property }
      : { sql: jsonScalar(dialect, path, kind), kind, collection: false, path, name: property };
  }
  const definition = propertyDefinition(type, property);
  if (definition === undefined || !definition.filterable) throw filterError(`${property} is not a filterable property of ${type}`, property);
  const path = [property];
  if (definition.column === 'id') return { sql: sql.ref('o.id'), kind: 'id', collection: false, path, name: property };
  if (definition.column === 'immutable_id') return { sql: sql.ref('o.immutable_id'), kind: 'id', collection: false, path, name: property };
  if (definition.column === 'upn_key') return { sql: sql.ref('o.upn_key'), kind: 'upn', collection: false, path, name: property };
  // displayName has a typed column ('' for none): reading it is much cheaper than extracting it from the JSON.
  if (property === 'displayName') return { sql: sql`NULLIF(o.display_name, '')`, kind: 'string', collection: false, path, name: property };
  switch (definition.kind) {
    case 'stringCollection':
      return { sql: jsonArray(dialect, path), kind: 'string', collection: true, path, name: property };
    case 'boolean':
      return { sql: jsonScalar(dialect, path, 'boolean'), kind: 'boolean', collection: false, path, name: property };
    case 'dateTime':
      return { sql: jsonScalar(dialect, path, 'dateTime'), kind: 'dateTime', collection: false, path, name: property };
    default:
      return { sql: jsonScalar(dialect, path, 'string'), kind: 'string', collection: false, path, name: property };
  }
}

/** A literal converted to what the column holds, or a filter error saying what was expected. */
function literalFor(context: FilterContext, operand: Operand, value: FilterLiteral): unknown {
  if (value === null) return null;
  switch (operand.kind) {
    case 'boolean':
      if (typeof value !== 'boolean') throw filterError(`${operand.name} is Boolean; compare it with true or false`, operand.name);
      return context.dialect === 'sqlite' ? (value ? 1 : 0) : String(value);
    case 'number':
      if (typeof value !== 'number') throw filterError(`${operand.name} is a number; compare it with a number`, operand.name);
      return value;
    case 'dateTime':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
        throw filterError(`${operand.name} is a DateTimeOffset; compare it with a date and time such as 2024-01-31T00:00:00Z`, operand.name);
      }
      return new Date(value).toISOString();
    case 'upn':
    case 'string':
    case 'id':
      if (typeof value !== 'string') throw filterError(`${operand.name} is a String; compare it with a quoted string`, operand.name);
      return operand.kind === 'upn' ? value.toLowerCase() : value;
  }
}

/** The expression compared (lower-cased for case-insensitive strings) and the literal to compare it with. */
function comparable(operand: Operand, literal: unknown): { left: Sql; right: Sql } {
  if (operand.kind === 'string') return { left: sql`lower(${operand.sql})`, right: sql`lower(${literal})` };
  return { left: operand.sql, right: sql`${literal}` };
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => '\\' + c);
}

function compileComparison(context: FilterContext, operand: Operand, operator: ComparisonOperator, value: FilterLiteral): Sql {
  if (operand.collection) throw filterError(`${operand.name} is a collection; filter it with ${operand.name}/any(x: x ${operator} …)`, operand.name);
  if (value === null) {
    if (operator === 'eq') return sql`(${operand.sql} IS NULL)`;
    if (operator === 'ne') return sql`(${operand.sql} IS NOT NULL)`;
    throw filterError(`null can only be compared with eq or ne (${operand.name} ${operator} null)`, operand.name);
  }
  if (operand.kind === 'boolean' && operator !== 'eq' && operator !== 'ne') {
    throw filterError(`${operand.name} is Boolean; only eq and ne apply`, operand.name);
  }
  const literal = literalFor(context, operand, value);
  const { left, right } = comparable(operand, literal);
  const op = sql.raw(SQL_OPERATORS[operator]);
  if (operator === 'ne') return sql`(${operand.sql} IS NULL OR ${left} <> ${right})`;
  return sql`(${operand.sql} IS NOT NULL AND ${left} ${op} ${right})`;
}

function compileStringFunction(context: FilterContext, operand: Operand, fn: 'startswith' | 'endswith', value: string): Sql {
  if (operand.collection) throw filterError(`${operand.name} is a collection; use ${operand.name}/any(x: ${fn}(x, …))`, operand.name);
  if (operand.kind !== 'string' && operand.kind !== 'upn' && operand.kind !== 'id') {
    throw filterError(`${fn} applies to String properties; ${operand.name} is not one`, operand.name);
  }
  if (typeof value !== 'string') throw filterError(`${fn} needs a quoted string`, operand.name);
  const lowered = value.toLowerCase();
  const pattern = fn === 'startswith' ? escapeLike(lowered) + '%' : '%' + escapeLike(lowered);
  const left = operand.kind === 'upn' ? operand.sql : sql`lower(${operand.sql})`;
  void context;
  return sql`(${operand.sql} IS NOT NULL AND ${left} LIKE ${pattern} ESCAPE '\\')`;
}

function compileIn(context: FilterContext, operand: Operand, values: readonly FilterLiteral[]): Sql {
  if (operand.collection) throw filterError(`${operand.name} is a collection; use ${operand.name}/any(x: x in (…))`, operand.name);
  if (values.length === 0) return sql`(1 = 0)`;
  const nonNull = values.filter((v) => v !== null);
  const parts: Sql[] = [];
  if (nonNull.length > 0) {
    const literals = nonNull.map((v) => comparable(operand, literalFor(context, operand, v)).right);
    const { left } = comparable(operand, null);
    parts.push(sql`(${operand.sql} IS NOT NULL AND ${left} IN (${sql.join(literals)}))`);
  }
  if (nonNull.length !== values.length) parts.push(sql`(${operand.sql} IS NULL)`);
  return parts.length === 1 ? parts[0]! : sql`(${sql.join(parts, sql` OR `)})`;
}

function compileNode(context: FilterContext, node: FilterNode, lambda?: { variable: string; element: Operand }): Sql {
  const operandOf = (property: string): Operand => {
    if (lambda !== undefined && property === lambda.variable) return lambda.element;
    return resolveProperty(context, property);
  };
  switch (node.kind) {
    case 'comparison':
      return compileComparison(context, operandOf(node.property), node.operator, node.value);
    case 'stringFunction':
      return compileStringFunction(context, operandOf(node.property), node.function, node.value);
    case 'in':
      return compileIn(context, operandOf(node.property), node.values);
    case 'and':
      return sql`(${compileNode(context, node.left, lambda)} AND ${compileNode(context, node.right, lambda)})`;
    case 'or':
      return sql`(${compileNode(context, node.left, lambda)} OR ${compileNode(context, node.right, lambda)})`;
    case 'not':
      return sql`(NOT ${compileNode(context, node.operand, lambda)})`;
    case 'any': {
      if (lambda !== undefined) throw filterError('any() cannot be nested');
      const collection = resolveProperty(context, node.collection);
      if (!collection.collection) throw filterError(`${node.collection} is not a collection; any() applies to collections`, node.collection);
      const elementSql =
        context.dialect === 'sqlite' ? sql.ref('e.value') : collection.kind === 'number' ? sql`(e.value)::numeric` : sql.ref('e.value');
      const element: Operand = { sql: elementSql, kind: collection.kind, collection: false, path: collection.path, name: node.variable };
      const predicate = compileNode(context, node.predicate, { variable: node.variable, element });
      const source = context.dialect === 'sqlite' ? sql`${collection.sql} AS e` : sql`${collection.sql} AS e(value)`;
      return sql`EXISTS (SELECT 1 FROM ${source} WHERE ${predicate})`;
    }
  }
}

export function compileFilter(context: FilterContext, node: FilterNode): RawBuilder<SqlBool> {
  return compileNode(context, node) as RawBuilder<SqlBool>;
}
