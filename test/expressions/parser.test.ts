import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BINARY_OPERATORS,
  checkExpression,
  parseExpression,
  printExpression,
  type ExpressionNode,
} from '../../src/expressions/index.ts';
import { isCloudsyncError } from '../../src/errors/index.ts';

/** The tree without positions, bigint-safe, for structural comparison. */
function shape(node: ExpressionNode): unknown {
  switch (node.kind) {
    case 'call': return { call: node.name, args: node.args.map(shape) };
    case 'binary': return { op: node.operator, left: shape(node.left), right: shape(node.right) };
    case 'attribute': return { attribute: node.name };
    case 'string': return { string: node.value };
    case 'number': return { number: typeof node.value === 'bigint' ? `${node.value}n` : node.value, radix: node.radix };
    case 'boolean': return { boolean: node.value };
    case 'word': return { word: node.name };
    case 'empty': return { empty: true };
  }
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const STRING_ALPHABET = ['a', 'Z', ' ', '"', '\\', ',', '(', ')', '[', ']', '&', '=', '<', '>', 'é', 'ß', 'İ', '😀', '\n', '\t', 'd', '\u00a0'];
const ATTRIBUTE_ALPHABET = ['a', 'B', '-', '.', '_', '1', ' ', 'ü', '(', '"', ',', '&'];

function generator(random: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const identifier = (): string => {
    let name = pick(['A', 'b', '_', 'Join', 'ToLower', 'X', 'vb']);
    const length = Math.floor(random() * 4);
    for (let i = 0; i < length; i++) name += pick(['a', 'Z', '0', '9', '_']);
    return name === 'True' || name === 'False' ? `${name}_` : name;
  };
  const text = (alphabet: readonly string[], max: number): string => {
    let out = '';
    const length = Math.floor(random() * max);
    for (let i = 0; i < length; i++) out += pick(alphabet);
    return out;
  };
  const leaf = (): ExpressionNode => {
    const at = { start: 0, end: 0 };
    switch (Math.floor(random() * 7)) {
      case 0: {
        let name = text(ATTRIBUTE_ALPHABET, 12);
        if (name.trim() === '') name = `a${name}`;
        return { kind: 'attribute', name, ...at };
      }
      case 1: return { kind: 'string', value: text(STRING_ALPHABET, 10), ...at };
      case 2: return { kind: 'number', value: Math.floor(random() * 2_000_000) - 1_000_000 || 1, radix: 10, ...at };
      case 3: return { kind: 'number', value: random() < 0.5 ? Math.floor(random() * 0xffffff) : 0x7fffffffffffffffn - BigInt(Math.floor(random() * 1000)), radix: 16, ...at };
      case 4: return random() < 0.5
        ? { kind: 'number', value: Math.round(random() * 100000) / 100 + 0.5, radix: 10, ...at }
        : { kind: 'number', value: 9007199254740993n + BigInt(Math.floor(random() * 1e6)), radix: 10, ...at };
      case 5: return { kind: 'boolean', value: random() < 0.5, ...at };
      default: return { kind: 'word', name: identifier(), ...at };
    }
  };
  const node = (depth: number): ExpressionNode => {
    const at = { start: 0, end: 0 };
    const roll = random();
    if (depth <= 0 || roll < 0.3) return leaf();
    if (roll < 0.7) {
      const count = Math.floor(random() * 5);
      const args: ExpressionNode[] = [];
      for (let i = 0; i < count; i++) args.push(count > 1 && random() < 0.2 ? { kind: 'empty', ...at } : node(depth - 1));
      return { kind: 'call', name: identifier(), args, ...at };
    }
    return { kind: 'binary', operator: pick(BINARY_OPERATORS), left: node(depth - 1), right: node(depth - 1), ...at };
  };
  return node;
}

describe('parseExpression / printExpression', () => {
  it('round-trips 500 random trees (seeded)', () => {
    const node = generator(mulberry32(20241124));
    for (let i = 0; i < 500; i++) {
      const tree = node(5);
      const printed = printExpression(tree);
      const reparsed = parseExpression(printed);
      assert.deepEqual(shape(reparsed), shape(tree), `round trip of ${printed}`);
      assert.equal(printExpression(reparsed), printed, 'printing is canonical');
    }
  });

  it('parses Microsoft\'s documented forms', () => {
    assert.deepEqual(shape(parseExpression('Replace([mail], "@contoso.com", , ,"", ,)')), {
      call: 'Replace',
      args: [{ attribute: 'mail' }, { string: '@contoso.com' }, { empty: true }, { empty: true }, { string: '' }, { empty: true }, { empty: true }],
    });
    assert.deepEqual(shape(parseExpression('BitAnd(&HF, &HF7)')), { call: 'BitAnd', args: [{ number: 15, radix: 16 }, { number: 247, radix: 16 }] });
    assert.deepEqual(shape(parseExpression('"Company name: \\"Contoso\\""')), { string: 'Company name: "Contoso"' });
    assert.deepEqual(shape(parseExpression('"\\\\+(?<isd>\\\\d* )"')), { string: '\\+(?<isd>\\d* )' });
    assert.deepEqual(shape(parseExpression('"\\d{10}"')), { string: '\\d{10}' }, 'a backslash before another character stays');
    assert.deepEqual(shape(parseExpression('DateFromNum(129699324000000000)')), { call: 'DateFromNum', args: [{ number: '129699324000000000n', radix: 10 }] });
    assert.deepEqual(shape(parseExpression('DateAdd("d", -10, x)')), { call: 'DateAdd', args: [{ string: 'd' }, { number: -10, radix: 10 }, { word: 'x' }] });
    assert.deepEqual(shape(parseExpression('InStr("repEated","e",3,vbBinaryCompare)')), {
      call: 'InStr',
      args: [{ string: 'repEated' }, { string: 'e' }, { number: 3, radix: 10 }, { word: 'vbBinaryCompare' }],
    });
    assert.deepEqual(shape(parseExpression('F()')), { call: 'F', args: [] });
    assert.deepEqual(shape(parseExpression('F(,)')), { call: 'F', args: [{ empty: true }, { empty: true }] });
    assert.deepEqual(shape(parseExpression('[ms-DS-ConsistencyGuid]')), { attribute: 'ms-DS-ConsistencyGuid' });
    assert.deepEqual(shape(parseExpression('True')), { boolean: true });
  });

  it('gives & precedence over comparisons, both left-associative', () => {
    assert.deepEqual(shape(parseExpression('IIF([employeeType]="Intern","t-" & [alias],[alias])')), {
      call: 'IIF',
      args: [
        { op: '=', left: { attribute: 'employeeType' }, right: { string: 'Intern' } },
        { op: '&', left: { string: 't-' }, right: { attribute: 'alias' } },
        { attribute: 'alias' },
      ],
    });
    assert.deepEqual(shape(parseExpression('"a" & "b" = "a" & "b"')), {
      op: '=',
      left: { op: '&', left: { string: 'a' }, right: { string: 'b' } },
      right: { op: '&', left: { string: 'a' }, right: { string: 'b' } },
    });
    assert.deepEqual(shape(parseExpression('1 < 2 = True')), { op: '=', left: { op: '<', left: { number: 1, radix: 10 }, right: { number: 2, radix: 10 } }, right: { boolean: true } });
    assert.equal(printExpression(parseExpression('"a" & ("b" & "c")')), '"a" & ("b" & "c")');
    assert.equal(printExpression(parseExpression('("a" & "b") & "c"')), '"a" & "b" & "c"');
    assert.equal(printExpression(parseExpression('("a" = "b") & "c"')), '("a" = "b") & "c"');
  });

  it('treats &H as hex only when a whole hex word follows', () => {
    assert.deepEqual(shape(parseExpression('"a" &Hello')), { op: '&', left: { string: 'a' }, right: { word: 'Hello' } });
    // As in VBA, `&HA` right after a value is a hex literal, so a concatenation needs a space: `"a" & HA`.
    assert.throws(() => parseExpression('"a" &HA'), (error: unknown) => isCloudsyncError(error) && error.code === 'ERR_EXPR_SYNTAX' && error.position === 4);
    assert.deepEqual(shape(parseExpression('"a" & HA')), { op: '&', left: { string: 'a' }, right: { word: 'HA' } });
  });

  it('accepts expressions written over several lines', () => {
    const text = 'SelectUniqueValue(\n    Join("@", [a], "contoso.com"),\r\n\tJoin("@", [b], "contoso.com")\n)';
    assert.equal(printExpression(parseExpression(text)), 'SelectUniqueValue(Join("@", [a], "contoso.com"), Join("@", [b], "contoso.com"))');
  });

  describe('syntax errors name the position and what was expected', () => {
    const cases: readonly [string, number, RegExp][] = [
      ['', 0, /expected a function call, an \[attribute\], a "string" or a number at position 0, found end of expression/],
      ['Join(" ", [a]', 13, /expected "," or "\)" in the arguments of Join \(opened at position 4\) at position 13, found end of expression/],
      ['Join(" " [a])', 9, /expected "," or "\)" .* at position 9, found attribute \[a\]/],
      ['[givenName', 10, /expected "\]" to close the attribute name opened at position 0/],
      ['ToLower([a\n])', 10, /expected "\]" to close the attribute name opened at position 8/],
      ['"abc', 4, /expected '"' to close the string opened at position 0/],
      ['[]', 0, /expected an attribute name/],
      ['ToLower([a]))', 12, /expected an operator or end of expression at position 12, found "\)" without a matching "\("/],
      ['ToLower([a]) [b]', 13, /expected an operator or end of expression at position 13, found attribute \[b\]/],
      ['Left([a], 3x)', 10, /expected a number at position 10, found "3x"/],
      ['IIF([a] = , 1, 2)', 10, /expected a function call.* at position 10, found ","/],
      ['Trim([a]) $', 10, /unexpected "\$" at position 10/],
      ['("a" & "b"', 10, /expected "\)" to close the "\(" at position 0 at position 10/],
      ['"a" & ', 6, /at position 6, found end of expression/],
    ];
    for (const [text, position, message] of cases) {
      it(JSON.stringify(text), () => {
        assert.throws(() => parseExpression(text), (error: unknown) => {
          assert.ok(isCloudsyncError(error));
          assert.equal(error.code, 'ERR_EXPR_SYNTAX');
          assert.equal(error.position, position);
          assert.match(error.message, message);
          return true;
        });
      });
    }
  });

  it('limits size and nesting with ERR_EXPR_TOO_LARGE, never a stack overflow', () => {
    const deep = `${'Trim('.repeat(5000)}[a]${')'.repeat(5000)}`;
    assert.throws(() => parseExpression(deep), (error: unknown) => isCloudsyncError(error) && error.code === 'ERR_EXPR_TOO_LARGE');
    assert.throws(() => parseExpression(`"${'x'.repeat(200_000)}"`), (error: unknown) => isCloudsyncError(error) && error.code === 'ERR_EXPR_TOO_LARGE');
    const long = `"${'x'.repeat(50_000)}"`;
    assert.deepEqual(shape(parseExpression(long)), { string: 'x'.repeat(50_000) });
  });

  it('fails only with located CloudsyncErrors on 3000 random inputs (seeded)', () => {
    const random = mulberry32(7);
    const pieces = ['Join(', 'IIF(', 'x(', '(', ')', ',', ' ', '[a]', '[', ']', '"s"', '"', '\\', '&', '&H', '&HF', '=', '<>', '<', '>=', '1', '-', '-2', '.5', 'True', 'vbTextCompare', 'mail', '\n', '😀', '$', ''];
    let parsed = 0;
    for (let i = 0; i < 3000; i++) {
      let text = '';
      const length = 1 + Math.floor(random() * 12);
      for (let j = 0; j < length; j++) text += pieces[Math.floor(random() * pieces.length)];
      try {
        parseExpression(text);
        parsed++;
        const checked = checkExpression(text);
        if (!checked.ok) for (const error of checked.errors) assert.ok(error.position !== undefined && error.position <= text.length);
      } catch (error) {
        assert.ok(isCloudsyncError(error), `raw ${String(error)} for ${JSON.stringify(text)}`);
        assert.equal(error.code, 'ERR_EXPR_SYNTAX');
        assert.ok(error.position !== undefined && error.position >= 0 && error.position <= text.length, `position of ${JSON.stringify(text)}`);
      }
    }
    assert.ok(parsed > 50, `some random inputs parse (${parsed})`);
  });

  it('records positions of nodes', () => {
    const node = parseExpression('Join(" ", [givenName], [sn])');
    assert.equal(node.kind, 'call');
    if (node.kind !== 'call') return;
    assert.deepEqual(node.args.map((a) => [a.start, a.end]), [[5, 8], [10, 21], [23, 27]]);
    assert.deepEqual([node.start, node.end], [0, 28]);
  });
});
