/**
 * The scoping-filter operators: names, arity and exact semantics, as one table.
 *
 * Graph (filterOperatorSchema): "arity: Binary, Unary … multivaluedComparisonType: All, Any. Applies only to
 * multivalued attributes. All means that all values must satisfy the condition. Any means that at least one
 * value has to satisfy the condition. The default is All."
 *
 * Entra (define-conditional-rules-for-provisioning-user-accounts.md):
 *   "EQUALS. Clause returns "true" if the evaluated attribute matches the input string value exactly (case
 *    sensitive)." … "Greater_Than … The value specified on the scoping filter must be an integer and the
 *    attribute on the user must be an integer" … "Includes … contains the string value (case sensitive)" …
 *   "NOT REGEX MATCH … returns "false" if the attribute is null / empty." … "Scoping filters will return
 *    "false" if the value is null / empty."
 *
 * So every operator except IS NULL / IS NOT NULL is false on a null or empty value — including the negative
 * ones (NOT EQUALS, NOT REGEX MATCH, !&, IS_NOT_BIT_SET). An admin who wants "not Sales, or no department"
 * writes a second filter group with `department IS NULL`. Less_Than, Less_Than_OR_EQUALS, STARTS_WITH,
 * IS_BIT_SET and IS_NOT_BIT_SET are not in Entra's lists (Connect has them); they are ours, with the same
 * conventions. Operator names are matched exactly as Entra spells them, except that the Entra→AD spellings
 * GREATER_THAN, GREATER_THAN_OR_EQUALS and INCLUDES are accepted as aliases.
 */

export const SCOPING_OPERATORS = [
  'EQUALS',
  'NOT EQUALS',
  'IS TRUE',
  'IS FALSE',
  'IS NULL',
  'IS NOT NULL',
  'REGEX MATCH',
  'NOT REGEX MATCH',
  'Greater_Than',
  'Greater_Than_OR_EQUALS',
  'Less_Than',
  'Less_Than_OR_EQUALS',
  'Includes',
  'STARTS_WITH',
  'ENDS_WITH',
  '&',
  '!&',
  'IS_BIT_SET',
  'IS_NOT_BIT_SET',
  'IS_MEMBER_OF',
] as const;

export type ScopingOperator = (typeof SCOPING_OPERATORS)[number];

export const SCOPING_OPERATOR_ALIASES: Readonly<Record<string, ScopingOperator>> = Object.freeze({
  GREATER_THAN: 'Greater_Than',
  GREATER_THAN_OR_EQUALS: 'Greater_Than_OR_EQUALS',
  LESS_THAN: 'Less_Than',
  LESS_THAN_OR_EQUALS: 'Less_Than_OR_EQUALS',
  INCLUDES: 'Includes',
});

/** What the target operand's values must be, checked once when the filter is compiled. */
export const TARGET_KINDS = ['none', 'strings', 'regex', 'integer', 'bitmask', 'guids'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const ATTRIBUTE_TYPES = ['String', 'Integer', 'Boolean', 'Binary', 'Reference'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export interface ScopingOperatorDefinition {
  readonly name: ScopingOperator;
  readonly arity: 'Unary' | 'Binary';
  readonly multivaluedComparisonType: 'All' | 'Any';
  readonly supportedAttributeTypes: readonly AttributeType[];
  readonly target: TargetKind;
  /** true only for IS NULL: the one operator that is true on a null/empty value */
  readonly trueOnNull: boolean;
  /** "true when …", for docs/scoping.md (Markdown) */
  readonly description: string;
  /** set where the operator is not in any of Entra's lists */
  readonly cloudsyncOnly?: true;
}

const STRINGY: readonly AttributeType[] = ['String', 'Integer'];

function op(definition: ScopingOperatorDefinition): ScopingOperatorDefinition {
  return Object.freeze(definition);
}

export const SCOPING_OPERATOR_DEFINITIONS: Readonly<Record<ScopingOperator, ScopingOperatorDefinition>> = Object.freeze({
  'EQUALS': op({ name: 'EQUALS', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: STRINGY, target: 'strings', trueOnNull: false,
    description: 'the value equals one of the target values exactly (case-sensitive); integer-typed values compare numerically (`42` equals `"0042"`)' }),
  'NOT EQUALS': op({ name: 'NOT EQUALS', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: STRINGY, target: 'strings', trueOnNull: false,
    description: 'the value is present and equals none of the target values' }),
  'IS TRUE': op({ name: 'IS TRUE', arity: 'Unary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['Boolean'], target: 'none', trueOnNull: false,
    description: 'the value is boolean `true`, or the text `true` in any case (LDAP returns `TRUE`)' }),
  'IS FALSE': op({ name: 'IS FALSE', arity: 'Unary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['Boolean'], target: 'none', trueOnNull: false,
    description: 'the value is boolean `false`, or the text `false` in any case' }),
  'IS NULL': op({ name: 'IS NULL', arity: 'Unary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['Integer', 'String', 'Binary', 'Boolean', 'Reference'], target: 'none', trueOnNull: true,
    description: 'the attribute is absent, null, `""` or has no values' }),
  'IS NOT NULL': op({ name: 'IS NOT NULL', arity: 'Unary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['Integer', 'String', 'Binary', 'Boolean', 'Reference'], target: 'none', trueOnNull: false,
    description: 'not IS NULL' }),
  'REGEX MATCH': op({ name: 'REGEX MATCH', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: STRINGY, target: 'regex', trueOnNull: false,
    description: 'one .NET pattern matches anywhere in the value (unanchored: use `^…$`; case-sensitive)' }),
  'NOT REGEX MATCH': op({ name: 'NOT REGEX MATCH', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: STRINGY, target: 'regex', trueOnNull: false,
    description: 'the value is present and no pattern matches it' }),
  'Greater_Than': op({ name: 'Greater_Than', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['Integer'], target: 'integer', trueOnNull: false,
    description: 'the value is an integer greater than the bound' }),
  'Greater_Than_OR_EQUALS': op({ name: 'Greater_Than_OR_EQUALS', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['Integer'], target: 'integer', trueOnNull: false,
    description: 'the value is an integer ≥ the bound' }),
  'Less_Than': op({ name: 'Less_Than', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['Integer'], target: 'integer', trueOnNull: false, cloudsyncOnly: true,
    description: 'the value is an integer < the bound' }),
  'Less_Than_OR_EQUALS': op({ name: 'Less_Than_OR_EQUALS', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['Integer'], target: 'integer', trueOnNull: false, cloudsyncOnly: true,
    description: 'the value is an integer ≤ the bound' }),
  'Includes': op({ name: 'Includes', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['String'], target: 'strings', trueOnNull: false,
    description: 'the value contains one of the target strings (case-sensitive, as .NET `String.Contains`)' }),
  'STARTS_WITH': op({ name: 'STARTS_WITH', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['String'], target: 'strings', trueOnNull: false, cloudsyncOnly: true,
    description: 'the value starts with one of the target strings (case-sensitive)' }),
  'ENDS_WITH': op({ name: 'ENDS_WITH', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['String'], target: 'strings', trueOnNull: false,
    description: 'the value ends with one of the target strings (case-sensitive)' }),
  '&': op({ name: '&', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: STRINGY, target: 'strings', trueOnNull: false,
    description: 'the value is one of the listed values (case-sensitive). A single target value containing commas is split on the commas and trimmed (`"Sales, Marketing"`), as the portal\'s one text box produces' }),
  '!&': op({ name: '!&', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: STRINGY, target: 'strings', trueOnNull: false,
    description: 'the value is present and is none of the listed values' }),
  'IS_BIT_SET': op({ name: 'IS_BIT_SET', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['Integer'], target: 'bitmask', trueOnNull: false, cloudsyncOnly: true,
    description: 'every bit of the mask is set in the integer value: `userAccountControl IS_BIT_SET 2` = disabled account. Masks are decimal, `0x…` or `&H…`' }),
  'IS_NOT_BIT_SET': op({ name: 'IS_NOT_BIT_SET', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['Integer'], target: 'bitmask', trueOnNull: false, cloudsyncOnly: true,
    description: 'the value is an integer and IS_BIT_SET is false for it' }),
  'IS_MEMBER_OF': op({ name: 'IS_MEMBER_OF', arity: 'Binary', multivaluedComparisonType: 'Any', supportedAttributeTypes: ['Reference'], target: 'guids', trueOnNull: false,
    description: 'the object is a member of one of the groups, named by objectGUID or `<GUID=…>;DN`. Source operand `memberOf` = direct membership, `transitiveMemberOf` = nested' }),
});

const BY_NAME = new Map<string, ScopingOperator>(SCOPING_OPERATORS.map((name) => [name, name]));

/** The canonical operator for a name as written in a filter clause, or undefined if there is none. */
export function resolveScopingOperator(name: string): ScopingOperator | undefined {
  return BY_NAME.get(name) ?? SCOPING_OPERATOR_ALIASES[name];
}

const TARGET_DESCRIPTIONS: Readonly<Record<TargetKind, string>> = {
  none: '–',
  strings: '≥1 strings',
  regex: '≥1 .NET patterns',
  integer: '1 integer',
  bitmask: '1 mask',
  guids: '≥1 group objectGUIDs',
};

/** The operator table of docs/scoping.md, rendered from the definitions the code runs. */
export function renderScopingOperatorReference(): string {
  const rows = ['| operator | arity | target values | multi-valued | true when … |', '|---|---|---|---|---|'];
  for (const name of SCOPING_OPERATORS) {
    const d = SCOPING_OPERATOR_DEFINITIONS[name];
    rows.push(`| \`${d.name}\`${d.cloudsyncOnly === true ? ' (ours)' : ''} | ${d.arity} | ${TARGET_DESCRIPTIONS[d.target]} | ${d.multivaluedComparisonType} | ${d.description} |`);
  }
  return rows.join('\n');
}

/** Graph's filterOperatorSchema list, as `GET …/schema/filterOperators` returns it. */
export function filterOperatorSchemas(): { name: string; arity: string; multivaluedComparisonType: string; supportedAttributeTypes: string[] }[] {
  return SCOPING_OPERATORS.map((name) => {
    const d = SCOPING_OPERATOR_DEFINITIONS[name];
    return { name: d.name, arity: d.arity, multivaluedComparisonType: d.multivaluedComparisonType, supportedAttributeTypes: [...d.supportedAttributeTypes] };
  });
}
