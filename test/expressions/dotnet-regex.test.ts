import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PATTERN_LENGTH, dotnetMatches, parseSubstitutions, replaceDotnet, translateDotnetRegex } from '../../src/expressions/dotnet-regex.ts';

function r(pattern: string, input: string, replacement: string): string {
  return replaceDotnet(translateDotnetRegex(pattern), input, replacement);
}

function rejects(pattern: string, message: RegExp): void {
  assert.throws(() => translateDotnetRegex(pattern), { code: 'ERR_EXPR_REGEX', message }, pattern);
}

describe('.NET regular expressions in JavaScript', () => {
  it('named groups and ${name}', () => {
    assert.equal(r('\\+(?<isdCode>\\d* )(?<phoneNumber>\\d{10})', '+91 9998887777', '${phoneNumber}'), '9998887777');
    assert.equal(r("(?'first'\\w+) (?'last'\\w+)", 'Ada Lovelace', '${last}, ${first}'), 'Lovelace, Ada');
  });

  it('numbers unnamed groups first, then named ones, as .NET does', () => {
    const regex = translateDotnetRegex('(?<a>x)(y)(?<b>z)(w)');
    assert.deepEqual([...regex.groupNumberOfName.entries()].filter(([k]) => !/^\d+$/.test(k)), [['a', 3], ['b', 4]]);
    assert.equal(replaceDotnet(regex, 'xyzw', '$1$2$3$4'), 'ywxz');
    assert.equal(r('(?<a>x)(y)\\1', 'xyy xyx', '#'), '# xyx', 'back-references follow .NET numbering');
    assert.equal(r('(?<a>x)\\k<a>', 'xx', '#'), '#');
    assert.equal(r("(?<a>x)\\k'a'", 'xx', '#'), '#');
  });

  it('all .NET substitutions; unknown groups stay literal', () => {
    assert.equal(r('b', 'abc', '[$&|$`|$\'|$_|$$]'), 'a[b|a|c|abc|$]c');
    assert.equal(r('(a)(b)?', 'a', '<$+>'), '<>', '$+ is the last group, even when it did not participate');
    assert.equal(r('(a)', 'a', '$2 ${x} $'), '$2 ${x} $');
    assert.equal(r('(a)', 'a', '${1}0'), 'a0');
    assert.equal(r('(a)', 'a', '$10'), '$10', '$10 is not a group, so it stays as written');
    const parts = parseSubstitutions(translateDotnetRegex('(?<n>a)'), 'x${n}y');
    assert.deepEqual(parts, [{ type: 'literal', text: 'x' }, { type: 'group', number: 1 }, { type: 'literal', text: 'y' }]);
  });

  it('Unicode \\w, \\d, \\s and \\b', () => {
    assert.equal(r('\\w+', 'Zoë Ångström', 'W'), 'W W');
    assert.equal(r('\\d', '1٣', 'D'), 'DD', 'Arabic-Indic digits are \\d in .NET');
    assert.equal(r('\\s', 'a\u00a0b\u2003c', '_'), 'a_b_c');
    assert.equal(r('\\bé', 'é café', '#'), '# café', '\\b sees é as a word character');
    assert.equal(r('[\\W\\d]', 'a-1', '_'), 'a__');
    assert.equal(r('\\D+', 'ab12', '_'), '_12');
  });

  it('anchors and dot as .NET defines them', () => {
    assert.equal(r('a$', 'a\n', '#'), '#\n', '$ matches before a final newline');
    assert.equal(r('a\\z', 'a\n', '#'), 'a\n');
    assert.equal(r('a\\Z', 'a\n', '#'), '#\n');
    assert.equal(r('\\Aa', 'aa', '#'), '#a');
    assert.equal(r('.', '\r\n', '#'), '#\n', '. matches \\r but not \\n');
    assert.equal(r('(?s).', '\n', '#'), '#');
    assert.equal(r('(?m)^a$', 'a\na', '#'), '#\n#');
    assert.equal(r('^a', 'a\na', '#'), '#\na');
  });

  it('inline options, scoped and unscoped, across alternatives', () => {
    assert.equal(r('(?i)abc', 'ABC', '#'), '#');
    assert.equal(r('a(?i)b|c', 'aB C', '#'), '# #');
    assert.equal(r('(?i:a)b', 'AB Ab', '#'), 'AB #');
    assert.equal(r('(?i)a(?-i:b)', 'AB Ab', '#'), 'AB #');
    assert.equal(r('(?n)(a)(?<b>b)', 'ab', '$1|${b}'), 'b|b', 'explicit capture: only named groups capture');
    assert.equal(r('(?x) a b # a comment\n c', 'abc', '#'), '#');
    assert.equal(r('(?#note)a', 'a', '#'), '#');
  });

  it('classes: leading ], subtraction, escapes, ranges', () => {
    assert.equal(r('[]a]', ']a', '#'), '##');
    assert.equal(r('[a-z-[aeiou]]+', 'hello', '#'), '#e#o');
    assert.equal(r('[()\\s-]+', '+1 (999) 888-7777', ''), '+19998887777');
    assert.equal(r('[^\\x41-\\x43]', 'ABCD', '#'), 'ABC#');
    assert.equal(r('[\\u00e0-\\u00e5]', 'àbå', '#'), '#b#');
    assert.equal(r('[\\b]', 'a\bb', '#'), 'a#b', '[\\b] is backspace');
    assert.equal(r('[\\p{Lu}]', 'aBc', '#'), 'a#c');
  });

  it('escapes and literal characters JavaScript would read differently', () => {
    assert.equal(r('\\e\\a\\t', '\u001b\u0007\t', '#'), '#');
    assert.equal(r('\\040', ' ', '#'), '#', 'octal escape');
    assert.equal(r('\\101', 'A', '#'), '#', 'octal when there is no group 101');
    assert.equal(r('(a)\\1', 'aa', '#'), '#', 'a back-reference when there is');
    assert.equal(r('\\cA', '\u0001', '#'), '#');
    assert.equal(r('x{,2}', 'x{,2}', '#'), '#', '{ that is not a quantifier is literal');
    assert.equal(r('a{2,3}?', 'aaaa', '#'), '##');
    assert.equal(r('/', 'a/b', '-'), 'a-b');
    assert.equal(r('\\.', 'a.b', '-'), 'a-b');
  });

  it('atomic groups', () => {
    assert.equal(r('(?>a+)b', 'aaab', '#'), '#');
    assert.equal(r('(?>a+)a', 'aaa', '#'), 'aaa', 'an atomic group gives nothing back');
    assert.equal(r('(?>(x))(y)', 'xy', '$2$1'), 'yx', 'the hidden group does not shift .NET numbering');
  });

  it('empty matches advance one character, as Regex.Replace does', () => {
    assert.equal(r('[a-zA-Z_]*', 'john_doe72', ''), '72');
    assert.equal(r('x*', 'ab', '-'), '-a-b-');
  });

  it('enumerates matches with group positions', () => {
    const regex = translateDotnetRegex('(?<d>\\d)');
    assert.deepEqual([...dotnetMatches(regex, 'a1b2')].map((m) => [m.index, m.value, m.group(1)?.index]), [[1, '1', 1], [3, '2', 3]]);
  });

  it('refuses what has no JavaScript equivalent, naming the construct', () => {
    rejects('(?<a-b>x)', /balancing group/);
    rejects('(?(a)b|c)', /conditional/);
    rejects('\\Gx', /\\G/);
    rejects('\\p{IsGreek}', /Unicode block \\p\{IsGreek\}/);
    rejects('(?<1>x)', /numbered group name/);
    rejects('(?<a>x)(?<a>y)', /used twice/);
    rejects('(?<x', /unterminated group name/);
    rejects('\\q', /unrecognized escape sequence \\q/);
    rejects('\\k<nope>', /undefined group name "nope"/);
    rejects('\\3(a)', /undefined group number 3/);
    rejects('*a', /following nothing/);
    rejects('a**', /nested quantifier/);
    rejects('a{3,2}', /x > y/);
    rejects('(a', /not enough \)/);
    rejects('a)', /too many \)/);
    rejects('[a', /unterminated \[\] set/);
    rejects('[z-a]', /reverse order/);
    rejects('(?z)', /unrecognized grouping construct/);
    rejects('(?P<n>x)', /unrecognized grouping construct/);
    rejects('\\p{Nope}', /unknown Unicode category/);
    rejects('a'.repeat(MAX_PATTERN_LENGTH + 1), /at most 4096/);
  });

  it('keeps up with large inputs', () => {
    const input = 'ab1 '.repeat(250_000);
    assert.equal(r('\\d', input, '').length, 750_000);
  });
});
