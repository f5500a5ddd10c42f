/**
 * The directory's query model: what a list call may ask for, independent of OData's text syntax.
 * The Graph API parses `$filter`/`$orderby`/`$top`/`$skiptoken` into this; the store translates it to SQL.
 * Neither side knows the other: this file is the contract between them.
 *
 * Property paths are Graph property names (`userPrincipalName`, `onPremisesExtensionAttributes/extensionAttribute3`,
 * `extension_<appId>_<name>`). Which properties are filterable is decided by the directory, which rejects
 * the rest with ERR_ODATA_FILTER naming the property.
 */

export const COMPARISON_OPERATORS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

export const STRING_FUNCTIONS = ['startswith', 'endswith'] as const;
export type StringFunction = (typeof STRING_FUNCTIONS)[number];

/** OData primitive literals. `null` is the literal null (`eq null`, `ne null`). Dates arrive as ISO strings. */
export type FilterLiteral = string | number | boolean | null;

export const FILTER_NODE_KINDS = ['comparison', 'stringFunction', 'in', 'and', 'or', 'not', 'any'] as const;
export type FilterNodeKind = (typeof FILTER_NODE_KINDS)[number];

export interface ComparisonNode {
  readonly kind: 'comparison';
  readonly operator: ComparisonOperator;
  /** A property path, or the lambda variable (e.g. `p`) inside `any()`. */
  readonly property: string;
  readonly value: FilterLiteral;
}

export interface StringFunctionNode {
  readonly kind: 'stringFunction';
  readonly function: StringFunction;
  readonly property: string;
  readonly value: string;
}

export interface InNode {
  readonly kind: 'in';
  readonly property: string;
  readonly values: readonly FilterLiteral[];
}

export interface AndNode {
  readonly kind: 'and';
  readonly left: FilterNode;
  readonly right: FilterNode;
}

export interface OrNode {
  readonly kind: 'or';
  readonly left: FilterNode;
  readonly right: FilterNode;
}

export interface NotNode {
  readonly kind: 'not';
  readonly operand: FilterNode;
}

/**
 * `proxyAddresses/any(p: p eq 'smtp:a@b.example')`, `proxyAddresses/any(p: startswith(p, 'SMTP:'))`.
 * Inside `predicate`, property === `variable` refers to the collection element.
 */
export interface AnyNode {
  readonly kind: 'any';
  readonly collection: string;
  readonly variable: string;
  readonly predicate: FilterNode;
}

export type FilterNode = ComparisonNode | StringFunctionNode | InNode | AndNode | OrNode | NotNode | AnyNode;

export const ORDERABLE_PROPERTIES = ['displayName', 'userPrincipalName'] as const;
export type OrderableProperty = (typeof ORDERABLE_PROPERTIES)[number];

export interface OrderBy {
  readonly property: OrderableProperty;
  readonly direction: 'asc' | 'desc';
}

/** Graph caps `$top` at 999 for directory objects. */
export const MAX_PAGE_SIZE = 999;
export const DEFAULT_PAGE_SIZE = 100;

export interface ListQuery {
  readonly filter?: FilterNode;
  readonly orderBy?: OrderBy;
  /** 1..MAX_PAGE_SIZE */
  readonly top: number;
  /**
   * Opaque keyset position returned by the previous page. It encodes the sort key and id of the last row
   * returned, never an offset, so a page boundary stays correct while objects are added and removed.
   */
  readonly skipToken?: string;
  /** `$count=true` (needs `ConsistencyLevel: eventual` at the HTTP layer). */
  readonly count?: boolean;
}

export interface ListPage<T> {
  readonly items: readonly T[];
  /** Present when more rows follow. */
  readonly nextSkipToken?: string;
  /** Present when ListQuery.count was asked for: all matching rows, not just this page. */
  readonly count?: number;
}
