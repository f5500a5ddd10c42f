/**
 * .NET regular expressions (what Entra's Replace runs) translated to JavaScript RegExp source (`v` flag).
 *
 * Entra, Replace: "Replaces values within a string in a case-sensitive manner … To learn more about regex
 * grouping constructs and named sub-expressions, see Grouping Constructs in Regular Expressions" (.NET).
 *
 * Where .NET and JavaScript differ, and what we do (RegexOptions.None, the default, unless noted):
 * - `.` matches "any character except \n" in .NET; JS's dot also excludes \r, \u2028, \u2029 → `[^\n]`.
 * - `$` "The match must occur at the end of the string or before \n at the end of the string"; `\Z` likewise;
 *   `\z` "must occur at the end of the string only"; `\A` "at the start of the string only".
 * - `\d`, `\w`, `\s`, `\b` are Unicode-aware in .NET ("\w is equivalent to [\p{L}\p{Mn}\p{Nd}\p{Pc}]",
 *   "\d is equivalent to \p{Nd}", "\s is equivalent to [\f\n\r\t\v\x85\p{Z}]"); in JS they are ASCII.
 * - Group numbering: "Captures that use parentheses are numbered automatically from left to right based on
 *   the order of the opening parentheses in the regular expression, starting from 1. However, named capture
 *   groups are always ordered last, after non-named capture groups." JS numbers all groups left to right, so
 *   `\1`, `$1` and group lookups go through a .NET-number → JS-index map.
 * - Inline options `(?imnsx-imnsx)` and `(?imnsx-imnsx:…)`: m, s, n and x are applied by the translation
 *   itself; i becomes a JS modifier group `(?i:…)`.
 * - `(?'name'…)`, `\k'name'`, `(?#comment)`, `\e`, `\a`, octal `\0nn`, character-class subtraction
 *   `[a-z-[aeiou]]`, a leading `]` in a class, and literal `{` that is not a quantifier are all translated.
 * - Atomic groups `(?>…)` (JS has none) become `(?=(…))\N`, the classic equivalent.
 * - Not translatable, rejected with ERR_EXPR_REGEX naming the construct: balancing groups `(?<a-b>…)`,
 *   conditionals `(?(…)…|…)`, `\G`, Unicode block names `\p{IsGreek}`, numeric group names `(?<3>…)`, and a
 *   group name used twice (.NET merges such groups; JavaScript allows it only across alternatives).
 *
 * Invariant: the translation never changes which strings match; when it cannot guarantee that it refuses.
 * Two residual differences, both outside the BMP or the invariant culture and accepted knowingly: JavaScript
 * (v flag) steps through code points, so `.` consumes a whole emoji where .NET sees two UTF-16 units; and
 * case-insensitive matching uses Unicode simple case folding rather than .NET's culture tables.
 *
 * Risk: JavaScript has no match timeout (.NET's Regex has one), so a pathological pattern such as `(a+)+$`
 * backtracks exponentially on a short hostile input. Patterns are written by administrators, not by the
 * objects being synchronized, which keeps this a configuration risk rather than an input-driven one.
 */
import { CloudsyncError } from '../errors/index.ts';

/** Patterns are written by administrators; the cap keeps a typo from compiling into something enormous. */
export const MAX_PATTERN_LENGTH = 4096;

export interface DotnetRegex {
  /** the .NET pattern as written */
  readonly pattern: string;
  readonly regexp: RegExp;
  /** .NET group number → index in the JS match array (0 → 0) */
  readonly jsIndexOfGroup: ReadonlyMap<number, number>;
  /** .NET group name → .NET group number; numbered groups are also reachable by their decimal name */
  readonly groupNumberOfName: ReadonlyMap<string, number>;
  /** the .NET group numbers in ascending order, 0 included */
  readonly groupNumbers: readonly number[];
}

export function regexError(pattern: string, message: string, position?: number): CloudsyncError {
  const at = position === undefined ? '' : ` at position ${position}`;
  return new CloudsyncError('ERR_EXPR_REGEX', `regular expression "${pattern}"${at}: ${message}`, {
    details: { pattern, ...(position === undefined ? {} : { position }) },
  });
}

interface Options {
  readonly i: boolean;
  readonly m: boolean;
  readonly s: boolean;
  readonly n: boolean;
  readonly x: boolean;
}

interface Level {
  /** options in force at this point of the group */
  options: Options;
  /** JS text to re-open after `|`: inline `(?i)` wrappers opened in this group */
  wrappers: string[];
  /** what to emit when the group closes, after closing wrappers */
  close: string;
}

interface Group {
  readonly jsIndex: number;
  readonly name: string | undefined;
}

const WORD = '\\p{L}\\p{Mn}\\p{Nd}\\p{Pc}';
const SPACE = '\\f\\n\\r\\t\\v\\x85\\p{Z}';
const BOUNDARY = `(?:(?<=[${WORD}])(?![${WORD}])|(?<![${WORD}])(?=[${WORD}]))`;
const NOT_BOUNDARY = `(?:(?<=[${WORD}])(?=[${WORD}])|(?<![${WORD}])(?![${WORD}]))`;

/** .NET's general categories; JS understands the same short names as `\p{…}`. */
const UNICODE_CATEGORIES = new Set([
  'L', 'Lu', 'Ll', 'Lt', 'Lm', 'Lo', 'M', 'Mn', 'Mc', 'Me', 'N', 'Nd', 'Nl', 'No', 'P', 'Pc', 'Pd', 'Ps', 'Pe',
  'Pi', 'Pf', 'Po', 'S', 'Sm', 'Sc', 'Sk', 'So', 'Z', 'Zs', 'Zl', 'Zp', 'C', 'Cc', 'Cf', 'Cs', 'Co', 'Cn',
]);

const BACKREF_MARK = '\u0000';

function literal(codePoint: number): string {
  const ch = String.fromCodePoint(codePoint);
  return /^[A-Za-z0-9]$/.test(ch) ? ch : `\\u{${codePoint.toString(16)}}`;
}

export function translateDotnetRegex(pattern: string): DotnetRegex {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw regexError(pattern.slice(0, 40) + '…', `the pattern is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are allowed`);
  }
  const fail = (message: string, position: number): CloudsyncError => regexError(pattern, message, position);
  const groups: Group[] = [];
  let jsGroupCount = 0;
  let out = '';
  let pos = 0;
  const stack: Level[] = [{ options: { i: false, m: false, s: false, n: false, x: false }, wrappers: [], close: '' }];
  const top = (): Level => stack[stack.length - 1]!;
  let canQuantify = false;

  const peek = (offset = 0): string | undefined => pattern[pos + offset];

  const readName = (terminator: string): string => {
    const end = pattern.indexOf(terminator, pos);
    if (end < 0) throw fail(`unterminated group name (expected "${terminator}")`, pos);
    const name = pattern.slice(pos, end);
    pos = end + 1;
    return name;
  };

  /** `\` escapes shared by classes and the rest; returns JS class-item text, or undefined if not a class escape. */
  const classEscape = (ch: string, inClass: boolean, at: number): string | undefined => {
    switch (ch) {
      case 'd': return inClass ? '\\p{Nd}' : '\\p{Nd}';
      case 'D': return '\\P{Nd}';
      case 'w': return inClass ? WORD : `[${WORD}]`;
      case 'W': return `[^${WORD}]`;
      case 's': return inClass ? SPACE : `[${SPACE}]`;
      case 'S': return `[^${SPACE}]`;
      case 'p':
      case 'P': {
        if (peek() !== '{') throw fail(`\\${ch} must be followed by {category}`, at);
        pos++;
        const name = readName('}');
        if (name.startsWith('Is')) throw fail(`Unicode block \\${ch}{${name}} has no JavaScript equivalent; use a character range instead`, at);
        if (!UNICODE_CATEGORIES.has(name)) throw fail(`unknown Unicode category \\${ch}{${name}}`, at);
        return `\\${ch}{${name}}`;
      }
      default: return undefined;
    }
  };

  /** A single-character escape; returns its code point. */
  const charEscape = (ch: string, inClass: boolean, at: number): number => {
    switch (ch) {
      case 't': return 9;
      case 'n': return 10;
      case 'v': return 11;
      case 'f': return 12;
      case 'r': return 13;
      case 'a': return 7;
      case 'e': return 27;
      case 'b':
        if (inClass) return 8;
        break;
      case 'x': {
        const hex = pattern.slice(pos, pos + 2);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw fail('\\x must be followed by two hex digits', at);
        pos += 2;
        return parseInt(hex, 16);
      }
      case 'u': {
        const hex = pattern.slice(pos, pos + 4);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw fail('\\u must be followed by four hex digits', at);
        pos += 4;
        return parseInt(hex, 16);
      }
      case 'c': {
        const letter = peek();
        if (letter === undefined || !/[A-Za-z@[\\\]^_]/.test(letter)) throw fail('\\c must be followed by a control letter', at);
        pos++;
        return letter.toUpperCase().charCodeAt(0) & 31;
      }
      case '0': {
        const oct = /^[0-7]{0,2}/.exec(pattern.slice(pos))![0];
        pos += oct.length;
        return oct === '' ? 0 : parseInt(oct, 8);
      }
      default:
        break;
    }
    if (/[A-Za-z0-9_]/.test(ch)) throw fail(`unrecognized escape sequence \\${ch}`, at);
    return ch.codePointAt(0)!;
  };

  const readClass = (start: number): string => {
    // Invariant on entry: pos is just after the opening '['.
    let negate = false;
    if (peek() === '^') {
      negate = true;
      pos++;
    }
    const items: string[] = [];
    let first = true;
    let subtraction: string | undefined;
    while (true) {
      const ch = peek();
      if (ch === undefined) throw fail('unterminated [] set', start);
      if (ch === ']' && !first) {
        pos++;
        break;
      }
      first = false;
      if (ch === '-' && peek(1) === '[') {
        pos += 2;
        subtraction = readClass(pos - 1);
        if (peek() !== ']') throw fail('a subtraction must be the last element of a [] set', pos);
        pos++;
        break;
      }
      const itemStart = pos;
      let code: number | undefined;
      let text: string | undefined;
      if (ch === '\\') {
        pos++;
        const e = peek();
        if (e === undefined) throw fail('the pattern ends with "\\"', itemStart);
        pos++;
        text = classEscape(e, true, itemStart);
        if (text === undefined) code = charEscape(e, true, itemStart);
      } else {
        code = pattern.codePointAt(pos)!;
        pos += code > 0xffff ? 2 : 1;
      }
      if (code !== undefined && peek() === '-' && peek(1) !== ']' && peek(1) !== '[' && peek(1) !== undefined) {
        pos++;
        let hi: number;
        const hiStart = pos;
        if (peek() === '\\') {
          pos++;
          const e = peek()!;
          pos++;
          if (classEscape(e, true, hiStart) !== undefined) throw fail(`a range cannot end in \\${e}`, hiStart);
          hi = charEscape(e, true, hiStart);
        } else {
          hi = pattern.codePointAt(pos)!;
          pos += hi > 0xffff ? 2 : 1;
        }
        if (hi < code) throw fail(`[x-y] range in reverse order`, itemStart);
        items.push(`${literal(code)}-${literal(hi)}`);
        continue;
      }
      items.push(text ?? literal(code!));
    }
    const base = `[${negate ? '^' : ''}${items.join('')}]`;
    return subtraction === undefined ? base : `[${base}--${subtraction}]`;
  };

  const openGroup = (open: string, close: string, options: Options): void => {
    out += open;
    stack.push({ options, wrappers: [], close });
    canQuantify = false;
  };

  const parseOptions = (text: string, base: Options, at: number): Options => {
    const next = { ...base };
    let on = true;
    for (const c of text) {
      if (c === '-') {
        on = false;
        continue;
      }
      if (c !== 'i' && c !== 'm' && c !== 's' && c !== 'n' && c !== 'x') throw fail(`unknown inline option "${c}"`, at);
      next[c] = on;
    }
    return next;
  };

  const modifier = (from: Options, to: Options): string | undefined => {
    if (from.i === to.i) return undefined;
    return to.i ? '(?i:' : '(?-i:';
  };

  while (pos < pattern.length) {
    const at = pos;
    const ch = pattern[pos]!;
    const options = top().options;
    if (options.x && /\s/.test(ch)) {
      pos++;
      continue;
    }
    if (options.x && ch === '#') {
      const end = pattern.indexOf('\n', pos);
      pos = end < 0 ? pattern.length : end + 1;
      continue;
    }
    switch (ch) {
      case '\\': {
        pos++;
        const e = peek();
        if (e === undefined) throw fail('the pattern ends with "\\"', at);
        pos++;
        if (e === 'A') { out += '^'; canQuantify = false; break; }
        if (e === 'z') { out += '$'; canQuantify = false; break; }
        if (e === 'Z') { out += '(?=\\n?$)'; canQuantify = false; break; }
        if (e === 'G') throw fail('\\G (contiguous matches) has no JavaScript equivalent', at);
        if (e === 'b') { out += BOUNDARY; canQuantify = false; break; }
        if (e === 'B') { out += NOT_BOUNDARY; canQuantify = false; break; }
        if (e === 'k') {
          const open = peek();
          if (open !== '<' && open !== "'") throw fail('\\k must be followed by <name> or \'name\'', at);
          pos++;
          const name = readName(open === '<' ? '>' : "'");
          out += `${BACKREF_MARK}${name}${BACKREF_MARK}`;
          canQuantify = true;
          break;
        }
        if (/[1-9]/.test(e)) {
          const digits = e + /^\d*/.exec(pattern.slice(pos))![0];
          pos += digits.length - 1;
          out += `${BACKREF_MARK}${digits}${BACKREF_MARK}`;
          canQuantify = true;
          break;
        }
        const cls = classEscape(e, false, at);
        out += cls ?? literal(charEscape(e, false, at));
        canQuantify = true;
        break;
      }
      case '[':
        pos++;
        out += readClass(at);
        canQuantify = true;
        break;
      case '.':
        pos++;
        out += options.s ? '[^]' : '[^\\n]';
        canQuantify = true;
        break;
      case '^':
        pos++;
        out += options.m ? '(?<=^|\\n)' : '^';
        canQuantify = false;
        break;
      case '$':
        pos++;
        out += options.m ? '(?=\\n|$)' : '(?=\\n?$)';
        canQuantify = false;
        break;
      case '|': {
        pos++;
        const level = top();
        out += ')'.repeat(level.wrappers.length) + '|' + level.wrappers.join('');
        canQuantify = false;
        break;
      }
      case '(': {
        pos++;
        if (peek() !== '?') {
          if (options.n) {
            openGroup('(?:', ')', options);
          } else {
            groups.push({ jsIndex: ++jsGroupCount, name: undefined });
            openGroup('(', ')', options);
          }
          break;
        }
        pos++;
        const kind = peek();
        if (kind === ':') { pos++; openGroup('(?:', ')', options); break; }
        if (kind === '=' || kind === '!') { pos++; openGroup(`(?${kind}`, ')', options); break; }
        if (kind === '>') {
          pos++;
          const index = ++jsGroupCount;
          openGroup('(?:(?=(', `))\\${index})`, options);
          break;
        }
        if (kind === '#') {
          const end = pattern.indexOf(')', pos);
          if (end < 0) throw fail('unterminated (?#…) comment', at);
          pos = end + 1;
          break;
        }
        if (kind === '(') throw fail('conditional (?(…)yes|no) groups have no JavaScript equivalent', at);
        if (kind === '<' && (peek(1) === '=' || peek(1) === '!')) {
          pos += 2;
          openGroup(`(?<${pattern[pos - 1]}`, ')', options);
          break;
        }
        if (kind === '<' || kind === "'") {
          pos++;
          const name = readName(kind === '<' ? '>' : "'");
          if (name.includes('-')) throw fail(`balancing group (?<${name}>…) has no JavaScript equivalent`, at);
          if (/^\d+$/.test(name)) throw fail(`numbered group name (?<${name}>…) is not supported; use a name that starts with a letter`, at);
          if (!/^[\p{L}\p{Nd}_]+$/u.test(name) || /^\d/.test(name)) throw fail(`invalid group name "${name}"`, at);
          if (groups.some((g) => g.name === name)) throw fail(`group name "${name}" is used twice`, at);
          groups.push({ jsIndex: ++jsGroupCount, name });
          openGroup(`(?<${name}>`, ')', options);
          break;
        }
        const optionText = /^[imnsx-]*/.exec(pattern.slice(pos))![0];
        const after = pattern[pos + optionText.length];
        if (after === ')' || after === ':') {
          const next = parseOptions(optionText, options, at);
          pos += optionText.length + 1;
          const mod = modifier(options, next);
          if (after === ':') {
            openGroup(mod ?? '(?:', ')', next);
          } else {
            const level = top();
            level.options = next;
            if (mod !== undefined) {
              out += mod;
              level.wrappers.push(mod);
            }
          }
          break;
        }
        throw fail(`unrecognized grouping construct "(?${kind ?? ''}"`, at);
      }
      case ')': {
        pos++;
        if (stack.length === 1) throw fail('too many )\'s', at);
        const level = stack.pop()!;
        out += ')'.repeat(level.wrappers.length) + level.close;
        canQuantify = true;
        break;
      }
      case '*':
      case '+':
      case '?':
      case '{': {
        let quantifier: string = ch;
        if (ch === '{') {
          const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(pos));
          if (m === null) {
            // "{" that does not start a quantifier is a literal in .NET.
            pos++;
            out += literal(123);
            canQuantify = true;
            break;
          }
          if (m[3] !== undefined && m[3] !== '' && Number(m[3]) < Number(m[1])) throw fail('illegal {x,y} with x > y', at);
          quantifier = m[0];
        }
        if (!canQuantify) throw fail(`quantifier "${quantifier}" following nothing`, at);
        pos += quantifier.length;
        if (peek() === '?') {
          pos++;
          quantifier += '?';
        }
        out += quantifier;
        canQuantify = false;
        if (peek() === '*' || peek() === '+' || peek() === '?' || /^\{\d+(,\d*)?\}/.test(pattern.slice(pos))) {
          throw fail('nested quantifier', pos);
        }
        break;
      }
      default: {
        const code = pattern.codePointAt(pos)!;
        pos += code > 0xffff ? 2 : 1;
        out += literal(code);
        canQuantify = true;
      }
    }
  }
  if (stack.length > 1) throw fail('not enough )\'s', pattern.length);
  out += ')'.repeat(top().wrappers.length);

  // .NET numbering: unnamed groups first, left to right, then named groups in order of appearance.
  const jsIndexOfGroup = new Map<number, number>([[0, 0]]);
  const groupNumberOfName = new Map<string, number>([['0', 0]]);
  let number = 0;
  for (const g of groups) if (g.name === undefined) jsIndexOfGroup.set(++number, g.jsIndex);
  for (const g of groups) {
    if (g.name === undefined) continue;
    jsIndexOfGroup.set(++number, g.jsIndex);
    groupNumberOfName.set(g.name, number);
  }
  for (const n of jsIndexOfGroup.keys()) groupNumberOfName.set(String(n), n);

  const source = out.replace(new RegExp(`${BACKREF_MARK}([^${BACKREF_MARK}]*)${BACKREF_MARK}`, 'g'), (_, ref: string) => {
    const n = groupNumberOfName.get(ref);
    // "\nnn … is interpreted as a backreference if it has only one digit … or if it corresponds to the number
    // of a capturing group"; otherwise an octal character code.
    if (n === undefined && /^[1-7][0-7]{1,2}/.test(ref)) {
      const octal = /^[0-7]{2,3}/.exec(ref)![0];
      return literal(parseInt(octal, 8)) + [...ref.slice(octal.length)].map((d) => literal(d.codePointAt(0)!)).join('');
    }
    if (n === undefined) throw fail(/^\d+$/.test(ref) ? `reference to undefined group number ${ref}` : `reference to undefined group name "${ref}"`, 0);
    // A back-reference followed by a digit must not merge with it: (?:\1)0.
    return `(?:\\${jsIndexOfGroup.get(n)!})`;
  });

  let regexp: RegExp;
  try {
    regexp = new RegExp(source, 'gvd');
  } catch (error) {
    throw regexError(pattern, `cannot be compiled: ${(error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')}`);
  }
  return Object.freeze({
    pattern,
    regexp,
    jsIndexOfGroup,
    groupNumberOfName,
    groupNumbers: [...jsIndexOfGroup.keys()].sort((a, b) => a - b),
  });
}

export interface GroupCapture {
  readonly value: string;
  readonly index: number;
}

export interface DotnetMatch {
  readonly index: number;
  readonly value: string;
  /** the .NET group's capture, or undefined when it did not participate */
  group(number: number): GroupCapture | undefined;
}

/** All matches, left to right, as .NET's Regex.Matches enumerates them (an empty match advances by one). */
export function* dotnetMatches(regex: DotnetRegex, input: string): Generator<DotnetMatch> {
  // matchAll iterates over a clone, so the shared RegExp's lastIndex is never disturbed.
  for (const m of input.matchAll(regex.regexp)) {
    const indices = m.indices!;
    yield {
      index: m.index,
      value: m[0],
      group(number: number): GroupCapture | undefined {
        const js = regex.jsIndexOfGroup.get(number);
        if (js === undefined) return undefined;
        const value = m[js];
        const span = indices[js];
        return value === undefined || span === undefined ? undefined : { value, index: span[0] };
      },
    };
  }
}

/**
 * .NET substitutions in a replacement pattern ("Substitutions in Regular Expressions"):
 *   $number  "Includes the last substring matched by the capturing group that is identified by number"
 *   ${name}  "Includes the last substring matched by the named group"
 *   $$       "Includes a single "$" literal"         $&  "Includes a copy of the entire match"
 *   $`       "Includes all the text of the input string before the match"
 *   $'       "Includes all the text of the input string after the match"
 *   $+       "Includes the last group captured"      $_  "Includes the entire input string"
 * "If number does not specify a valid capturing group defined in the regular expression pattern, $number is
 * interpreted as a literal character sequence"; likewise ${name}.
 */
export type Substitution =
  | { readonly type: 'literal'; readonly text: string }
  | { readonly type: 'group'; readonly number: number }
  | { readonly type: 'before' | 'after' | 'input' | 'last' };

export function parseSubstitutions(regex: DotnetRegex, replacement: string): Substitution[] {
  const parts: Substitution[] = [];
  let text = '';
  const flush = (): void => {
    if (text !== '') parts.push({ type: 'literal', text });
    text = '';
  };
  let i = 0;
  while (i < replacement.length) {
    const ch = replacement[i]!;
    if (ch !== '$' || i + 1 >= replacement.length) {
      text += ch;
      i++;
      continue;
    }
    const next = replacement[i + 1]!;
    if (next === '$') { text += '$'; i += 2; continue; }
    const simple = ({ '&': 'group', '`': 'before', "'": 'after', '_': 'input', '+': 'last' } as const)[next as '&'];
    if (simple !== undefined) {
      flush();
      parts.push(simple === 'group' ? { type: 'group', number: 0 } : { type: simple });
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = replacement.indexOf('}', i + 2);
      const name = end < 0 ? undefined : replacement.slice(i + 2, end);
      const number = name === undefined ? undefined : regex.groupNumberOfName.get(name);
      if (number !== undefined) {
        flush();
        parts.push({ type: 'group', number });
        i = end + 1;
        continue;
      }
    } else if (/\d/.test(next)) {
      const digits = /^\d+/.exec(replacement.slice(i + 1))![0];
      const number = Number(digits);
      if (regex.jsIndexOfGroup.has(number)) {
        flush();
        parts.push({ type: 'group', number });
        i += 1 + digits.length;
        continue;
      }
    }
    text += ch;
    i++;
  }
  flush();
  return parts;
}

/** `Regex.Replace(input, pattern, replacement)`: every match replaced, substitutions expanded. */
export function replaceDotnet(regex: DotnetRegex, input: string, replacement: string): string {
  const parts = parseSubstitutions(regex, replacement);
  const lastGroup = regex.groupNumbers[regex.groupNumbers.length - 1]!;
  let out = '';
  let end = 0;
  for (const m of dotnetMatches(regex, input)) {
    out += input.slice(end, m.index);
    for (const part of parts) {
      switch (part.type) {
        case 'literal': out += part.text; break;
        case 'group': out += m.group(part.number)?.value ?? ''; break;
        case 'before': out += input.slice(0, m.index); break;
        case 'after': out += input.slice(m.index + m.value.length); break;
        case 'input': out += input; break;
        case 'last': out += m.group(lastGroup)?.value ?? ''; break;
      }
    }
    end = m.index + m.value.length;
  }
  return out + input.slice(end);
}
