/**
 * `$filter` text → the directory's FilterNode (src/directory/query.ts). A hand-written recursive-descent parser
 * so every error names the position and what was expected there.
 *
 * The subset of the OData 4.01 ABNF (Part 2 §5.1.1) that Microsoft Graph accepts on directory objects:
 *
 *   boolCommonExpr = orExpr
 *   orExpr         = andExpr *( RWS "or" RWS andExpr )
 *   andExpr        = notExpr *( RWS "and" RWS notExpr )
 *   notExpr        = "not" RWS notExpr / boolPrimary
 *   boolPrimary    = "(" BWS boolCommonExpr BWS ")"
 *                  / boolMethodCallExpr                        ; startswith(...) / endswith(...)
 *                  / memberExpr "/" "any" "(" BWS lambdaVariableExpr BWS ":" BWS boolCommonExpr BWS ")"
 *                  / memberExpr RWS compareOp RWS primitiveLiteral
 *                  / memberExpr RWS "in" RWS "(" BWS primitiveLiteral *( BWS "," BWS primitiveLiteral ) BWS ")"
 *   boolMethodCallExpr = ( "startswith" / "endswith" ) "(" BWS memberExpr BWS "," BWS string BWS ")"
 *   memberExpr     = odataIdentifier *( "/" odataIdentifier )    ; onPremisesExtensionAttributes/extensionAttribute1
 *   compareOp      = "eq" / "ne" / "lt" / "le" / "gt" / "ge"
 *
 * Precedence follows OData §5.1.1.1: `not` binds tighter than `and`, which binds tighter than `or`.
 * Keywords and function names are matched case-insensitively, as Graph does (`startsWith` works).
 * Which properties may be filtered is the directory's decision, not the parser's.
 */
import { CloudsyncError } from '../../errors/index.ts';
import {
  COMPARISON_OPERATORS,
  STRING_FUNCTIONS,
  type ComparisonOperator,
  type FilterLiteral,
  type FilterNode,
  type StringFunction,
} from '../../directory/query.ts';
import { describeToken, tokenizeFilter, type FilterToken } from './filter-lexer.ts';

/** Deep nesting is never needed by a real filter; bounding it keeps a hostile one from exhausting the stack. */
export const MAX_FILTER_DEPTH = 32;
/** Generous for real filters (Graph itself caps `in` at 15 values and expressions far below this). */
export const MAX_FILTER_LENGTH = 8192;
/**
 * Comparisons and string functions in one filter (an `in` list is one, whatever its length: it is a set lookup).
 * Every one of them is evaluated on every row a filter cannot find through an index, and inside `any()` on every
 * element of the collection too; on SQLite that runs on the event loop. 680 such terms fit in MAX_FILTER_LENGTH and
 * took 19 s over 20,000 users, blocking every other request; scripts that need more split the query.
 */
export const MAX_FILTER_TERMS = 20;

const COMPARISON_SET = new Set<string>(COMPARISON_OPERATORS);
const FUNCTION_SET = new Set<string>(STRING_FUNCTIONS);

function syntaxError(message: string, position: number): CloudsyncError {
  return new CloudsyncError('ERR_ODATA_FILTER', `Invalid filter clause: ${message}`, { path: '$filter', position });
}

class FilterParser {
  readonly #tokens: FilterToken[];
  #index = 0;
  #depth = 0;
  #terms = 0;
  /** Lambda variables in scope (`p` inside `proxyAddresses/any(p: …)`). */
  readonly #variables: string[] = [];

  constructor(tokens: FilterToken[]) {
    this.#tokens = tokens;
  }

  parse(): FilterNode {
    const node = this.#orExpr();
    const next = this.#peek();
    if (next.kind !== 'end') {
      throw syntaxError(`expected 'and', 'or' or the end of the filter but found ${describeToken(next)}.`, next.position);
    }
    return node;
  }

  #peek(offset = 0): FilterToken {
    return this.#tokens[Math.min(this.#index + offset, this.#tokens.length - 1)]!;
  }

  #next(): FilterToken {
    const token = this.#peek();
    if (token.kind !== 'end') this.#index += 1;
    return token;
  }

  #isKeyword(token: FilterToken, keyword: string): boolean {
    return token.kind === 'identifier' && token.text.toLowerCase() === keyword;
  }

  #expect(kind: FilterToken['kind'], what: string): FilterToken {
    const token = this.#next();
    if (token.kind !== kind) throw syntaxError(`expected ${what} but found ${describeToken(token)}.`, token.position);
    return token;
  }

  #enter(position: number): void {
    this.#depth += 1;
    if (this.#depth > MAX_FILTER_DEPTH) {
      throw syntaxError(`the filter nests deeper than ${MAX_FILTER_DEPTH} levels at position ${position}; simplify it.`, position);
    }
  }

  #term(position: number): void {
    this.#terms += 1;
    if (this.#terms > MAX_FILTER_TERMS) {
      throw syntaxError(`the filter has more than ${MAX_FILTER_TERMS} comparisons (position ${position}); split it into several requests or use 'in'.`, position);
    }
  }

  #orExpr(): FilterNode {
    let left = this.#andExpr();
    while (this.#isKeyword(this.#peek(), 'or')) {
      this.#next();
      const right = this.#andExpr();
      left = Object.freeze({ kind: 'or', left, right });
    }
    return left;
  }

  #andExpr(): FilterNode {
    let left = this.#notExpr();
    while (this.#isKeyword(this.#peek(), 'and')) {
      this.#next();
      const right = this.#notExpr();
      left = Object.freeze({ kind: 'and', left, right });
    }
    return left;
  }

  #notExpr(): FilterNode {
    const token = this.#peek();
    // `not` followed by `eq`/`ne`/… would be a property called "not": none exists, so treat it as the operator.
    if (this.#isKeyword(token, 'not')) {
      this.#next();
      this.#enter(token.position);
      const operand = this.#notExpr();
      this.#depth -= 1;
      return Object.freeze({ kind: 'not', operand });
    }
    return this.#primary();
  }

  #primary(): FilterNode {
    const token = this.#peek();
    if (token.kind === 'openParen') {
      this.#next();
      this.#enter(token.position);
      const inner = this.#orExpr();
      this.#depth -= 1;
      this.#expect('closeParen', `')' to close the '(' at position ${token.position}`);
      return inner;
    }
    if (token.kind !== 'identifier') {
      throw syntaxError(`expected a property name, 'not', '(' or a function such as startswith( but found ${describeToken(token)}.`, token.position);
    }
    const lower = token.text.toLowerCase();
    if (this.#peek(1).kind === 'openParen') {
      if (FUNCTION_SET.has(lower)) return this.#stringFunction(lower as StringFunction);
      throw syntaxError(`unknown function '${token.text}' at position ${token.position}; supported functions are ${STRING_FUNCTIONS.join(', ')}.`, token.position);
    }
    const path = this.#memberPath();
    const operator = this.#peek();
    if (operator.kind === 'slash') {
      this.#next();
      const any = this.#next();
      if (!this.#isKeyword(any, 'any')) {
        throw syntaxError(`expected a property name or 'any' after '/' but found ${describeToken(any)}.`, any.position);
      }
      return this.#anyLambda(path, any.position);
    }
    if (this.#isKeyword(operator, 'in')) {
      this.#term(path.position);
      this.#next();
      return this.#inList(path.text);
    }
    if (operator.kind === 'identifier' && COMPARISON_SET.has(operator.text.toLowerCase())) {
      this.#term(path.position);
      this.#next();
      const op = operator.text.toLowerCase() as ComparisonOperator;
      const literal = this.#literal();
      if (literal.value === null && op !== 'eq' && op !== 'ne') {
        throw syntaxError(`null can only be compared with eq or ne (position ${literal.position}).`, literal.position);
      }
      return Object.freeze({ kind: 'comparison', operator: op, property: path.text, value: literal.value });
    }
    throw syntaxError(
      `expected an operator (${COMPARISON_OPERATORS.join(', ')}, in) after '${path.text}' but found ${describeToken(operator)}.`,
      operator.position,
    );
  }

  /** Reads `a/b/c` up to, not including, a `/any`. */
  #memberPath(): { text: string; position: number } {
    const first = this.#expect('identifier', 'a property name');
    let text = first.text;
    while (this.#peek().kind === 'slash' && this.#peek(1).kind === 'identifier' && !this.#isKeyword(this.#peek(1), 'any')) {
      this.#next();
      text += `/${this.#next().text}`;
    }
    return { text, position: first.position };
  }

  #stringFunction(fn: StringFunction): FilterNode {
    this.#term(this.#next().position); // function name
    const open = this.#expect('openParen', `'(' after ${fn}`);
    const property = this.#memberPath();
    this.#expect('comma', `',' after the property in ${fn}( at position ${open.position}`);
    const value = this.#next();
    if (value.kind !== 'string') {
      throw syntaxError(`${fn} needs a quoted string as its second argument, found ${describeToken(value)}.`, value.position);
    }
    this.#expect('closeParen', `')' to close ${fn}( at position ${open.position}`);
    return Object.freeze({ kind: 'stringFunction', function: fn, property: property.text, value: value.text });
  }

  #anyLambda(collection: { text: string; position: number }, anyPosition: number): FilterNode {
    const open = this.#expect('openParen', `'(' after any`);
    this.#enter(anyPosition);
    const variable = this.#expect('identifier', 'a lambda variable name (as in any(p: p eq …))');
    this.#expect('colon', `':' after the lambda variable '${variable.text}'`);
    this.#variables.push(variable.text);
    const predicate = this.#orExpr();
    this.#variables.pop();
    this.#expect('closeParen', `')' to close any( at position ${open.position}`);
    this.#depth -= 1;
    return Object.freeze({ kind: 'any', collection: collection.text, variable: variable.text, predicate });
  }

  #inList(property: string): FilterNode {
    const open = this.#expect('openParen', `'(' after in`);
    const values: FilterLiteral[] = [this.#literal().value];
    while (this.#peek().kind === 'comma') {
      this.#next();
      values.push(this.#literal().value);
    }
    this.#expect('closeParen', `',' or ')' to close the in list opened at position ${open.position}`);
    return Object.freeze({ kind: 'in', property, values: Object.freeze(values) });
  }

  #literal(): { value: FilterLiteral; position: number } {
    const token = this.#next();
    switch (token.kind) {
      case 'string':
      case 'dateTime':
      case 'guid':
        return { value: token.text, position: token.position };
      case 'number':
        return { value: Number(token.text), position: token.position };
      case 'identifier': {
        const lower = token.text.toLowerCase();
        if (lower === 'true') return { value: true, position: token.position };
        if (lower === 'false') return { value: false, position: token.position };
        if (lower === 'null') return { value: null, position: token.position };
        break;
      }
      default:
        break;
    }
    throw syntaxError(
      `expected a value (a 'quoted string', a number, true, false, null or a date-time) but found ${describeToken(token)}.`,
      token.position,
    );
  }
}

export function parseFilter(text: string): FilterNode {
  if (text.length > MAX_FILTER_LENGTH) {
    throw syntaxError(`the filter is ${text.length} characters long; the limit is ${MAX_FILTER_LENGTH}.`, MAX_FILTER_LENGTH);
  }
  if (text.trim() === '') throw syntaxError('the filter is empty.', 0);
  return new FilterParser(tokenizeFilter(text)).parse();
}
