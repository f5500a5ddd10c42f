/**
 * Parses Entra attribute-mapping expressions.
 *
 * Microsoft's description (reference-expressions.md, functions-for-customizing-application-data.md):
 *   "The entire expression must be defined in terms of functions, which consist of a name followed by
 *    arguments in parentheses: FunctionName(<<argument 1>>,<<argument N>>)". "You can nest functions within
 *    each other." Arguments are "Attributes, which must be enclosed in square brackets", "String constants,
 *    which must be enclosed in double quotes" and "Other Functions". "The syntax is case-sensitive."
 * Microsoft's examples add: skipped optional arguments (`Replace([mail], "@contoso.com", , ,"", ,)`), numbers
 * (`Left("John Doe", 3)`, `DateAdd("d", -10, …)`, `Join("", 1000, …)`), hex numbers (`BitAnd(&HF, &HF7)`),
 * bare enumeration words (`InStr("repEated","e",3,vbBinaryCompare)`), comparisons in conditions
 * (`IIF([country]="USA",…)`, `IIF(DateDiff(…) > 5, …)`) and `&` concatenation (`"t-" & [alias]`).
 * A mapping may also be a bare attribute or constant (`[displayName]`, `""` to clear a target).
 *
 * The grammar we accept (EBNF; tokens as in lexer.ts):
 *
 *   expression    = concatenation { comparison-op concatenation } ;      (* left-associative, as VBA *)
 *   comparison-op = "=" | "<>" | "<" | "<=" | ">" | ">=" ;
 *   concatenation = operand { "&" operand } ;                             (* binds tighter than comparisons *)
 *   operand       = call | attribute | string | number | "True" | "False" | word | "(" expression ")" ;
 *   call          = identifier "(" [ argument { "," argument } ] ")" ;
 *   argument      = [ expression ] ;                                      (* empty = skipped optional *)
 *   word          = identifier ;                                          (* not followed by "(" *)
 *
 * `F()` has no arguments; `F(,)` has two empty ones. Whether a function exists, how many arguments it takes
 * and which are required is not syntax: checker.ts decides that, so a parse never depends on the registry.
 */
import {
  binaryNode,
  booleanNode,
  callNode,
  emptyNode,
  numberNode,
  stringNode,
  attributeNode,
  wordNode,
  type BinaryOperator,
  type ExpressionNode,
} from './ast.ts';
import { CloudsyncError } from '../errors/index.ts';
import { describeToken, syntaxError, tokenize, type Token } from './lexer.ts';

/** Far beyond any real mapping; keeps hostile input from exhausting the stack or the heap. */
export const MAX_EXPRESSION_LENGTH = 100_000;
export const MAX_NESTING_DEPTH = 200;

const COMPARISON = new Set<string>(['=', '<>', '<', '<=', '>', '>=']);

export function parseExpression(text: string): ExpressionNode {
  if (typeof text !== 'string') throw new TypeError('parseExpression: text must be a string');
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new CloudsyncError(
      'ERR_EXPR_TOO_LARGE',
      `the expression is ${text.length} characters long; the limit is ${MAX_EXPRESSION_LENGTH}`,
      { position: MAX_EXPRESSION_LENGTH },
    );
  }
  const parser = new Parser(tokenize(text));
  const node = parser.expression(0);
  const last = parser.peek();
  if (last.kind !== 'end') {
    const what = last.kind === ')' ? '")" without a matching "("' : describeToken(last);
    throw syntaxError(`expected an operator or end of expression at position ${last.start}, found ${what}`, last.start);
  }
  return node;
}

class Parser {
  readonly #tokens: readonly Token[];
  #index = 0;

  constructor(tokens: readonly Token[]) {
    this.#tokens = tokens;
  }

  peek(): Token {
    return this.#tokens[this.#index] as Token;
  }

  #next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.#index++;
    return token;
  }

  expression(depth: number): ExpressionNode {
    if (depth > MAX_NESTING_DEPTH) {
      const at = this.peek().start;
      throw new CloudsyncError('ERR_EXPR_TOO_LARGE', `the expression nests deeper than ${MAX_NESTING_DEPTH} levels at position ${at}`, { position: at });
    }
    let left = this.#concatenation(depth);
    for (let token = this.peek(); token.kind === 'operator' && COMPARISON.has(token.text); token = this.peek()) {
      this.#next();
      left = binaryNode(token.text as BinaryOperator, left, this.#concatenation(depth));
    }
    return left;
  }

  #concatenation(depth: number): ExpressionNode {
    let left = this.#operand(depth);
    for (let token = this.peek(); token.kind === 'operator' && token.text === '&'; token = this.peek()) {
      this.#next();
      left = binaryNode('&', left, this.#operand(depth));
    }
    return left;
  }

  #operand(depth: number): ExpressionNode {
    const token = this.#next();
    switch (token.kind) {
      case 'attribute': return attributeNode(token.text, token.start, token.end);
      case 'string': return stringNode(token.text, token.start, token.end);
      case 'number': return numberNode(token.number as number | bigint, token.radix ?? 10, token.start, token.end);
      case 'identifier': {
        if (this.peek().kind === '(') return this.#call(token, depth);
        if (token.text === 'True' || token.text === 'False') return booleanNode(token.text === 'True', token.start, token.end);
        return wordNode(token.text, token.start, token.end);
      }
      case '(': {
        const inner = this.expression(depth + 1);
        this.#expect(')', `")" to close the "(" at position ${token.start}`);
        return inner;
      }
      default:
        throw syntaxError(
          `expected a function call, an [attribute], a "string" or a number at position ${token.start}, found ${describeToken(token)}`,
          token.start,
        );
    }
  }

  #call(name: Token, depth: number): ExpressionNode {
    const open = this.#next();
    const args: ExpressionNode[] = [];
    if (this.peek().kind === ')') {
      return callNode(name.text, args, name.start, this.#next().end);
    }
    let slotStart = open.end;
    for (;;) {
      const token = this.peek();
      if (token.kind === ',' || token.kind === ')') {
        args.push(emptyNode(slotStart, token.start));
      } else {
        args.push(this.expression(depth + 1));
      }
      const separator = this.#next();
      if (separator.kind === ')') return callNode(name.text, args, name.start, separator.end);
      if (separator.kind !== ',') {
        throw syntaxError(
          `expected "," or ")" in the arguments of ${name.text} (opened at position ${open.start}) at position ${separator.start}, found ${describeToken(separator)}`,
          separator.start,
        );
      }
      slotStart = separator.end;
    }
  }

  #expect(kind: Token['kind'], what: string): Token {
    const token = this.#next();
    if (token.kind !== kind) throw syntaxError(`expected ${what} at position ${token.start}, found ${describeToken(token)}`, token.start);
    return token;
  }
}
