/**
 * Splits expression text into tokens. The lexical rules are those of the grammar quoted in parser.ts:
 *
 *   attribute  = "[" 1*( any character except "[", "]", line breaks ) "]"
 *   string     = '"' *( '\"' | '\\' | any character except '"' ) '"'
 *                  ; Entra: "if you need a backslash ( \ ) or quotation mark ( " ) in the string, it must be
 *                  ; escaped with the backslash". A backslash before any other character is kept as it is,
 *                  ; so regex patterns such as "\d{10}" mean what they say.
 *   number     = [ "-" ] 1*digit [ "." 1*digit ] | "&H" 1*hexdigit
 *   identifier = ( letter | "_" ) *( letter | digit | "_" )
 *   operator   = "&" | "=" | "<>" | "<=" | ">=" | "<" | ">"
 *   punctuation = "(" | ")" | ","
 *   white space between tokens is ignored (expressions are often written over several lines).
 *
 * `&` is both the concatenation operator and the start of a hex literal (`BitAnd(&HF, &HF7)`): it starts a
 * hex literal only when the whole word after `&H` is hex digits, so `"a" &Hello` is still a concatenation.
 */
import { CloudsyncError } from '../errors/index.ts';

export const TOKEN_KINDS = ['identifier', 'attribute', 'string', 'number', 'operator', '(', ')', ',', 'end'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

export interface Token {
  readonly kind: TokenKind;
  /** identifier name, attribute name, decoded string, operator spelling; '' for punctuation and end */
  readonly text: string;
  readonly number?: number | bigint;
  readonly radix?: 10 | 16;
  readonly start: number;
  readonly end: number;
}

const IDENTIFIER_START = /[A-Za-z_]/;
const IDENTIFIER_PART = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;
const HEX_WORD = /^[0-9A-Fa-f]+$/;

export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'end': return 'end of expression';
    case 'identifier': return `"${token.text}"`;
    case 'attribute': return `attribute [${token.text}]`;
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'operator': return `"${token.text}"`;
    default: return `"${token.kind}"`;
  }
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || /\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, text: '', start, end: ++i });
    } else if (c === '[') {
      i = readAttribute(text, i, tokens);
    } else if (c === '"') {
      i = readString(text, i, tokens);
    } else if (DIGIT.test(c) || (c === '-' && DIGIT.test(text[i + 1] ?? ''))) {
      i = readDecimal(text, i, tokens);
    } else if (c === '&') {
      i = readAmpersand(text, i, tokens);
    } else if (c === '<') {
      const next = text[i + 1];
      const op = next === '>' ? '<>' : next === '=' ? '<=' : '<';
      i += op.length;
      tokens.push({ kind: 'operator', text: op, start, end: i });
    } else if (c === '>') {
      const op = text[i + 1] === '=' ? '>=' : '>';
      i += op.length;
      tokens.push({ kind: 'operator', text: op, start, end: i });
    } else if (c === '=') {
      tokens.push({ kind: 'operator', text: '=', start, end: ++i });
    } else if (IDENTIFIER_START.test(c)) {
      i = readWord(text, i);
      tokens.push({ kind: 'identifier', text: text.slice(start, i), start, end: i });
    } else {
      throw syntaxError(
        `unexpected ${printable(text, i)} at position ${i}; expected a function call, an [attribute], a "string" or a number`,
        i,
      );
    }
  }
  tokens.push({ kind: 'end', text: '', start: n, end: n });
  return tokens;
}

function readAttribute(text: string, open: number, tokens: Token[]): number {
  let i = open + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === ']') break;
    if (c === '[' || c === '\n' || c === '\r') {
      throw syntaxError(`expected "]" to close the attribute name opened at position ${open}, found ${printable(text, i)} at position ${i}`, i);
    }
    i++;
  }
  if (i >= text.length) {
    throw syntaxError(`expected "]" to close the attribute name opened at position ${open}, found end of expression`, text.length);
  }
  const name = text.slice(open + 1, i);
  if (name.trim() === '') throw syntaxError(`expected an attribute name between "[" and "]" at position ${open}`, open);
  tokens.push({ kind: 'attribute', text: name, start: open, end: i + 1 });
  return i + 1;
}

function readString(text: string, open: number, tokens: Token[]): number {
  let i = open + 1;
  let value = '';
  let chunkStart = i;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      value += text.slice(chunkStart, i);
      tokens.push({ kind: 'string', text: value, start: open, end: i + 1 });
      return i + 1;
    }
    if (c === '\\') {
      const next = text[i + 1];
      if (next === '"' || next === '\\') {
        value += text.slice(chunkStart, i) + next;
        i += 2;
        chunkStart = i;
        continue;
      }
    }
    i++;
  }
  throw syntaxError(`expected '"' to close the string opened at position ${open}, found end of expression`, text.length);
}

function readDecimal(text: string, start: number, tokens: Token[]): number {
  let i = start;
  if (text[i] === '-') i++;
  while (DIGIT.test(text[i] ?? '')) i++;
  let fraction = false;
  if (text[i] === '.' && DIGIT.test(text[i + 1] ?? '')) {
    fraction = true;
    i++;
    while (DIGIT.test(text[i] ?? '')) i++;
  }
  if (IDENTIFIER_PART.test(text[i] ?? '') || text[i] === '.') {
    throw syntaxError(`expected a number at position ${start}, found "${text.slice(start, readWord(text, i))}"`, start);
  }
  const spelling = text.slice(start, i);
  let value: number | bigint = Number(spelling);
  if (!fraction && !Number.isSafeInteger(value)) value = BigInt(spelling);
  tokens.push({ kind: 'number', text: spelling, number: value, radix: 10, start, end: i });
  return i;
}

function readAmpersand(text: string, start: number, tokens: Token[]): number {
  const h = text[start + 1];
  if (h === 'H' || h === 'h') {
    const wordEnd = readWord(text, start + 2);
    const digits = text.slice(start + 2, wordEnd);
    if (HEX_WORD.test(digits)) {
      const big = BigInt(`0x${digits}`);
      const value = big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
      tokens.push({ kind: 'number', text: text.slice(start, wordEnd), number: value, radix: 16, start, end: wordEnd });
      return wordEnd;
    }
  }
  tokens.push({ kind: 'operator', text: '&', start, end: start + 1 });
  return start + 1;
}

function readWord(text: string, start: number): number {
  let i = start;
  while (i < text.length && IDENTIFIER_PART.test(text[i] as string)) i++;
  return i;
}

function printable(text: string, i: number): string {
  const code = text.codePointAt(i) ?? 0;
  const c = String.fromCodePoint(code);
  return code < 0x20 || code === 0x7f ? `character U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `"${c}"`;
}

export function syntaxError(message: string, position: number): CloudsyncError {
  return new CloudsyncError('ERR_EXPR_SYNTAX', message, { position });
}
