/**
 * Tokens of OData `$filter` text, the subset Microsoft Graph accepts on directory objects.
 *
 * From the OData ABNF (odata-abnf-construction-rules, OData 4.01 Part 2 §5):
 *
 *   string           = SQUOTE *( SQUOTE-in-string / pchar-no-SQUOTE ) SQUOTE
 *   SQUOTE-in-string = SQUOTE SQUOTE ; two consecutive single quotes represent one within a string literal
 *   decimalValue     = [ SIGN ] 1*DIGIT [ "." 1*DIGIT ] [ "e" [ SIGN ] 1*DIGIT ]
 *   booleanValue     = "true" / "false"
 *   nullValue        = "null"
 *   dateTimeOffsetValue = year "-" month "-" day "T" hour ":" minute [ ":" second [ "." fractionalSeconds ] ]
 *                         ( "Z" / SIGN hour ":" minute )
 *   guidValue        = 8HEXDIG "-" 4HEXDIG "-" 4HEXDIG "-" 4HEXDIG "-" 12HEXDIG
 *   odataIdentifier  = identifierLeadingCharacter *127identifierCharacter
 *
 * Positions are 0-based offsets into the `$filter` text so an error can point at the character.
 */
import { CloudsyncError } from '../../errors/index.ts';

export const FILTER_TOKEN_KINDS = [
  'identifier',
  'string',
  'number',
  'dateTime',
  'guid',
  'openParen',
  'closeParen',
  'comma',
  'slash',
  'colon',
  'end',
] as const;
export type FilterTokenKind = (typeof FILTER_TOKEN_KINDS)[number];

export interface FilterToken {
  readonly kind: FilterTokenKind;
  /** The token's text as written (for strings: the unescaped value). */
  readonly text: string;
  readonly position: number;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![0-9A-Za-z_])/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?(?![0-9A-Za-z_])/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*/;

const PUNCTUATION: Readonly<Record<string, FilterTokenKind>> = {
  '(': 'openParen',
  ')': 'closeParen',
  ',': 'comma',
  '/': 'slash',
  ':': 'colon',
};

/** Describes a token for an error message: `'and' at position 12`, `end of input`. */
export function describeToken(token: FilterToken): string {
  if (token.kind === 'end') return `the end of the filter (position ${token.position})`;
  if (token.kind === 'string') return `'${token.text.replaceAll("'", "''")}' at position ${token.position}`;
  return `'${token.text}' at position ${token.position}`;
}

export function tokenizeFilter(text: string): FilterToken[] {
  const tokens: FilterToken[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i += 1;
      continue;
    }
    const punctuation = PUNCTUATION[ch];
    if (punctuation !== undefined) {
      tokens.push({ kind: punctuation, text: ch, position: i });
      i += 1;
      continue;
    }
    if (ch === "'") {
      const start = i;
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) {
          throw new CloudsyncError('ERR_ODATA_FILTER', `Invalid filter clause: the string starting at position ${start} is not closed; add a closing ' (write '' for a quote inside a string).`, { path: '$filter', position: start });
        }
        const c = text[i]!;
        if (c === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += c;
        i += 1;
      }
      tokens.push({ kind: 'string', text: value, position: start });
      continue;
    }
    const rest = text.slice(i);
    // Order matters: a date-time and a GUID both start with digits, and a GUID may start with letters a-f.
    const dateTime = DATE_TIME.exec(rest);
    if (dateTime) {
      tokens.push({ kind: 'dateTime', text: dateTime[0], position: i });
      i += dateTime[0].length;
      continue;
    }
    const guid = GUID.exec(rest);
    if (guid) {
      tokens.push({ kind: 'guid', text: guid[0], position: i });
      i += guid[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', text: number[0], position: i });
      i += number[0].length;
      continue;
    }
    const identifier = IDENTIFIER.exec(rest);
    if (identifier) {
      tokens.push({ kind: 'identifier', text: identifier[0], position: i });
      i += identifier[0].length;
      continue;
    }
    throw new CloudsyncError('ERR_ODATA_FILTER', `Invalid filter clause: unexpected character '${ch}' at position ${i}.`, { path: '$filter', position: i });
  }
  tokens.push({ kind: 'end', text: '', position: text.length });
  return tokens;
}
