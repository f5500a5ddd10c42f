/**
 * SelectUniqueValue — "Requires a minimum of two arguments, which are unique value generation rules defined
 * using expressions. The function evaluates each rule and then checks the value generated for uniqueness in
 * the target app/directory. The first unique value found is the one returned. If all of the values already
 * exist in the target, the entry is escrowed, and the reason gets logged in the audit logs. There's no upper
 * bound to the number of arguments that can be provided."
 * "This function must be at the top-level and can't be nested." "This function is only meant to be used
 * for entry creations."
 *
 * Lazy: a rule is evaluated only when every earlier one was taken, so a later rule's Error() cannot fire
 * for an object the first rule already served.
 */
import { CloudsyncError } from '../../errors/index.ts';
import { describeValue, isNullOrEmpty } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';
import type { Value } from '../value.ts';

const UPN_RULES =
  'SelectUniqueValue(Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"), Join("@", NormalizeDiacritics(StripSpaces(Join(".",  Mid([PreferredFirstName], 1, 1), [PreferredLastName]))), "contoso.com"), Join("@", NormalizeDiacritics(StripSpaces(Join(".",  Mid([PreferredFirstName], 1, 2), [PreferredLastName]))), "contoso.com"))';
const JOHN_SMITH = { PreferredFirstName: 'John', PreferredLastName: 'Smith' };

export const selectUniqueValue: ExpressionFunction = {
  name: 'SelectUniqueValue',
  summary: 'Evaluates rules in order and returns the first value that is not yet taken in the target directory.',
  syntax: 'SelectUniqueValue(uniqueValueRule1, uniqueValueRule2, uniqueValueRule3, …)',
  lazy: true,
  semantics:
    'At least two rules, no upper bound. Each rule is evaluated only when the ones before it were taken; a ' +
    'rule that yields a missing or empty value is skipped (it cannot be an identifier). Uniqueness is asked of ' +
    'the evaluation context, which the engine backs with a lookup in the target; where there is no target to ' +
    'ask (for example a stand-alone expression test without one), the function is ERR_EXPR_NOT_APPLICABLE. ' +
    'When every candidate is taken the result is ERR_EXPR_NOT_UNIQUE, listing the candidates, and the engine ' +
    'escrows the object. Entra also requires it to be the whole expression (not nested), used on creation only ' +
    'and not on matching attributes; the engine enforces those where mappings are validated. Nest ' +
    'NormalizeDiacritics in the rules so candidates are valid identifiers.',
  deviation:
    'Entra documents that its uniqueness lookup in AD "doesn\'t escape special characters like diacritics", so ' +
    'candidates such as "Jéssica Smith" cause processing errors. Here a candidate reaches the target\'s lookup as ' +
    'a value, not as filter text, and the lookup is responsible for escaping it (RFC 4515 for LDAP), so such ' +
    'candidates are checked correctly. Entra also limits the function to Workday, SuccessFactors and API-driven ' +
    'provisioning into AD; here it works wherever the target can answer the uniqueness question.',
  parameters: [
    { name: 'uniqueValueRule', description: 'Unique value generation rules to evaluate, in order; at least 2 are required, no upper bound.', required: true, variadic: true },
  ],
  minArgs: 2,
  maxArgs: Infinity,
  examples: [
    { expression: UPN_RULES, attributes: JOHN_SMITH, result: 'John.Smith@contoso.com', note: 'John.Smith@contoso.com doesn\'t already exist in the directory' },
    { expression: UPN_RULES, attributes: JOHN_SMITH, context: { taken: ['John.Smith@contoso.com'] }, result: 'J.Smith@contoso.com', note: 'John.Smith@contoso.com already exists' },
    { expression: UPN_RULES, attributes: JOHN_SMITH, context: { taken: ['John.Smith@contoso.com', 'J.Smith@contoso.com'] }, result: 'Jo.Smith@contoso.com', note: 'the above two UPN values already exist' },
    { expression: UPN_RULES, attributes: JOHN_SMITH, context: { taken: ['John.Smith@contoso.com', 'J.Smith@contoso.com', 'Jo.Smith@contoso.com'] }, result: { error: 'ERR_EXPR_NOT_UNIQUE' }, note: 'all taken: the object is escrowed' },
    { expression: 'SelectUniqueValue(Join("@", NormalizeDiacritics([givenName]), "contoso.com"), Join("", NormalizeDiacritics([givenName]), "2@contoso.com"))', attributes: { givenName: 'Jéssica' }, context: { taken: ['Jessica@contoso.com'] }, result: 'Jessica2@contoso.com', note: 'NormalizeDiacritics keeps candidates searchable' },
  ],
  evaluate(rules, context) {
    const isUnique = context.isUnique;
    if (isUnique === undefined) {
      throw new CloudsyncError(
        'ERR_EXPR_NOT_APPLICABLE',
        'SelectUniqueValue: there is no target directory to check uniqueness against here; it only works in a provisioning job (or provisioning on demand) whose target can be searched',
      );
    }
    const tried: Value[] = [];
    for (const rule of rules) {
      const candidate = rule();
      if (isNullOrEmpty(candidate)) continue;
      if (isUnique.call(context, candidate)) return candidate;
      tried.push(candidate);
    }
    throw new CloudsyncError(
      'ERR_EXPR_NOT_UNIQUE',
      `SelectUniqueValue: every candidate is already taken in the target (${tried.length === 0 ? 'no rule produced a value' : tried.map((v) => describeValue(v)).join(', ')})`,
      { details: { candidates: tried.map((v) => (Array.isArray(v) ? v.map(String) : String(v))) } },
    );
  },
};
