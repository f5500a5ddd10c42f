import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  attributeSource,
  checkExpression,
  compileExpression,
  fixedContext,
  type AttributeSource,
  type Value,
} from '../../src/expressions/index.ts';
import { evaluate, evaluateRaw, evaluationError } from './helpers.ts';

describe('evaluation', () => {
  describe('values', () => {
    it('returns attributes, literals and missing attributes as NULL', () => {
      assert.equal(evaluate('[displayName]', { displayName: 'John Doe' }), 'John Doe');
      assert.equal(evaluate('[DISPLAYNAME]', { displayName: 'John Doe' }), 'John Doe', 'attribute names are case-insensitive');
      assert.equal(evaluate('[displayName]'), null);
      assert.equal(evaluate('[proxyAddresses]', { proxyAddresses: [] }), null, 'an empty multi-valued attribute is NULL');
      assert.equal(evaluate('""'), '');
      assert.equal(evaluate('42'), 42);
      assert.equal(evaluate('&HFF'), 255);
      assert.equal(evaluate('True'), true);
      assert.equal(evaluate('129699324000000000'), '129699324000000000', 'integers beyond 2^53 stay exact');
      assert.deepEqual(evaluate('[objectGUID]', { objectGUID: 'base64:AAECAw==' }), 'base64:AAECAw==');
    });

    it('concatenates with &, NULL as ""', () => {
      assert.equal(evaluate('"t-" & [alias]', { alias: 'jdoe' }), 't-jdoe');
      assert.equal(evaluate('"t-" & [alias]'), 't-');
      assert.equal(evaluate('"n" & 1 & True'), 'n1True');
      assert.deepEqual(evaluate('"a" & [p]', { p: ['x', 'y'] }), { error: 'ERR_EXPR_EVALUATION' });
      assert.equal(evaluate('"a" & [p]', { p: ['x'] }), 'ax');
    });
  });

  describe('comparisons', () => {
    const cases: readonly [string, Record<string, unknown>, unknown][] = [
      ['[c] = "USA"', { c: 'USA' }, true],
      ['[c] = "USA"', { c: 'usa' }, false],
      ['[c] <> "USA"', { c: 'usa' }, true],
      ['[c] = ""', {}, true],
      ['[c] = ""', { c: '' }, true],
      ['[c] <> ""', { c: 'x' }, true],
      ['[n] > 5', { n: '10' }, true],
      ['[n] > 5', { n: 10 }, true],
      ['[n] >= 10', { n: 10 }, true],
      ['[n] < 10', { n: 9.5 }, true],
      ['"10" < "9"', {}, true],
      ['[n] = 129699324000000000', { n: '129699324000000000' }, true],
      ['[n] > 9007199254740992', { n: '9007199254740993' }, true],
      ['[flag] = True', { flag: 'true' }, true],
      ['[flag] = False', { flag: true }, false],
      ['IsPresent([x]) = "True"', { x: 'a' }, true],
      ['[p] = "b"', { p: ['a', 'b'] }, true],
      ['[p] <> "b"', { p: ['a', 'b'] }, false],
      ['[p] = "c"', { p: ['a', 'b'] }, false],
      ['[a] <= [b]', { a: 'abc', b: 'abd' }, true],
    ];
    for (const [expression, attributes, expected] of cases) {
      it(`${expression} with ${JSON.stringify(attributes)}`, () => {
        assert.deepEqual(evaluate(expression, attributes), expected);
      });
    }
    it('refuses to order multi-valued or binary values', () => {
      assert.deepEqual(evaluate('[p] < "b"', { p: ['a', 'b'] }), { error: 'ERR_EXPR_EVALUATION' });
      assert.deepEqual(evaluate('[g] < "b"', { g: 'base64:AAEC' }), { error: 'ERR_EXPR_EVALUATION' });
      assert.equal(evaluate('[g] = [h]', { g: 'base64:AAEC', h: 'base64:AAEC' }), true);
    });
  });

  describe('laziness', () => {
    it('does not evaluate untaken branches', () => {
      assert.equal(evaluate('IIF(True, "yes", Error("boom"))'), 'yes');
      assert.deepEqual(evaluate('IIF(False, "yes", Error("boom"))'), { error: 'ERR_EXPR_USER_ERROR' });
      assert.equal(evaluate('Switch("a", Error("default"), "a", "A", "b", Error("b"))'), 'A');
      assert.equal(evaluate('Coalesce("x", Error("never"))'), 'x');
    });
    it('reports the user message of Error()', () => {
      const error = evaluationError('IIF(IsPresent([accountName]),[accountName],Error("AccountName is required"))');
      assert.deepEqual([error.code, error.message, error.position], ['ERR_EXPR_USER_ERROR', 'AccountName is required', 43]);
    });
  });

  describe('IgnoreFlowIfNullOrEmpty', () => {
    it('drops the whole expression, even when nested', () => {
      assert.deepEqual(evaluate('IgnoreFlowIfNullOrEmpty([d])'), { ignoreFlow: true });
      assert.deepEqual(evaluate('ToLower(IgnoreFlowIfNullOrEmpty([d]))'), { ignoreFlow: true });
      assert.deepEqual(evaluate('IIF(True, IgnoreFlowIfNullOrEmpty([d]), "x")'), { ignoreFlow: true });
      assert.deepEqual(evaluate('"a" & IgnoreFlowIfNullOrEmpty([d])'), { ignoreFlow: true });
      assert.deepEqual(evaluate('IgnoreFlowIfNullOrEmpty([p])', { p: ['', ''] }), { ignoreFlow: true });
      assert.equal(evaluate('IIF(False, IgnoreFlowIfNullOrEmpty([d]), "x")'), 'x');
      assert.equal(evaluate('ToLower(IgnoreFlowIfNullOrEmpty([d]))', { d: 'SALES' }), 'sales');
    });
  });

  describe('errors', () => {
    it('carry the position of the innermost failing call and name the function and value', () => {
      const error = evaluationError('Join(" ", Item([p], 5), "x")', { p: ['a', 'b'] });
      assert.equal(error.code, 'ERR_EXPR_EVALUATION');
      assert.equal(error.position, 10);
      assert.match(error.message, /^Item: index 5 is out of bounds: a multi-valued value \("a", "b"\) has 2 values/);
    });
    it('name binary values instead of printing them', () => {
      const error = evaluationError('ToLower([objectGUID])', { objectGUID: 'base64:AAECAwQFBgcICQoLDA0ODw==' });
      assert.match(error.message, /ToLower: expected text but got a binary value \(16 bytes\)/);
    });
  });

  describe('compiled expressions', () => {
    it('list the attributes they read, once each, and whether they redact', () => {
      const compiled = compileExpression('Join(" ", [givenName], [sn], [GIVENNAME], IIF([c]="x", [sn], ""))');
      assert.deepEqual(compiled.attributes, ['givenName', 'sn', 'c']);
      assert.equal(compiled.redacted, false);
      assert.equal(compileExpression('Redact([userPrincipalName])').redacted, true);
      assert.equal(compiled.source, 'Join(" ", [givenName], [sn], [GIVENNAME], IIF([c]="x", [sn], ""))');
      assert.ok(Object.isFrozen(compiled));
    });

    it('evaluate many objects independently', () => {
      const compiled = compileExpression('Join(" ", [givenName], [sn])');
      const results = ['A', 'B', 'C'].map((g) => compiled.evaluate(attributeSource({ givenName: g, sn: 'Z' })));
      assert.deepEqual(results, [{ kind: 'value', value: 'A Z' }, { kind: 'value', value: 'B Z' }, { kind: 'value', value: 'C Z' }]);
    });

    it('are re-entrant: a nested evaluation of the same expression sees its own object', () => {
      const compiled = compileExpression('Join("/", [a], [b])');
      const inner: AttributeSource = attributeSource({ a: 'inner-a', b: 'inner-b' });
      const outer: AttributeSource = {
        get(name: string): Value | undefined {
          if (name === 'a') {
            const nested = compiled.evaluate(inner);
            return nested.kind === 'value' ? `outer(${String(nested.value)})` : null;
          }
          return 'outer-b';
        },
      };
      assert.deepEqual(compiled.evaluate(outer), { kind: 'value', value: 'outer(inner-a/inner-b)/outer-b' });
    });

    it('keep working after an evaluation failed', () => {
      const compiled = compileExpression('Item([p], 2)');
      assert.throws(() => compiled.evaluate(attributeSource({ p: ['x'] })));
      assert.deepEqual(compiled.evaluate(attributeSource({ p: ['x', 'y'] })), { kind: 'value', value: 'y' });
    });

    it('take the clock from the context', () => {
      const context = fixedContext({ now: new Date('2021-07-02T15:33:38Z') });
      assert.equal(context.now().toISOString(), '2021-07-02T15:33:38.000Z');
      assert.equal(evaluateRaw('[x]', { x: 'y' }, context), 'y');
    });
  });

  describe('checkExpression', () => {
    it('collects every problem, in text order', () => {
      const result = checkExpression('Join(tolower([x]), Left([a]), Foo(), mail, [zzz])', { isKnownAttribute: (n) => ['x', 'a'].includes(n.toLowerCase()) });
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.deepEqual(result.errors.map((e) => [e.code, e.position]), [
        ['ERR_EXPR_UNKNOWN_FUNCTION', 5],
        ['ERR_EXPR_ARITY', 19],
        ['ERR_EXPR_UNKNOWN_FUNCTION', 30],
        ['ERR_EXPR_SYNTAX', 37],
        ['ERR_EXPR_UNKNOWN_ATTRIBUTE', 43],
      ]);
      assert.match(result.errors[0]?.message ?? '', /unknown function tolower at position 5; did you mean ToLower\? \(function names are case-sensitive\)/);
      assert.match(result.errors[1]?.message ?? '', /Left takes 2 arguments but got 1 at position 19; syntax: Left\(string, numChars\)/);
      assert.match(result.errors[3]?.message ?? '', /unknown name mail at position 37; attributes are written in brackets \(\[mail\]\)/);
      assert.match(result.errors[4]?.message ?? '', /unknown source attribute \[zzz\] at position 43/);
    });

    it('rejects skipped required arguments and odd Switch argument counts', () => {
      const skipped = checkExpression('Append(, "x")');
      assert.ok(!skipped.ok && skipped.errors[0]?.code === 'ERR_EXPR_ARITY' && skipped.errors[0].position === 7);
      const odd = checkExpression('Switch([a], "d", "k1", "v1", "k2")');
      assert.ok(!odd.ok);
      if (!odd.ok) assert.match(odd.errors[0]?.message ?? '', /Switch needs source, defaultValue and key\/value pairs \(an even number of arguments\), got 5/);
      assert.ok(checkExpression('Switch([a], , "k1", "v1")').ok, 'the default value may be skipped');
    });

    it('accepts enumeration words only where functions declare them', () => {
      assert.ok(checkExpression('InStr("a", "b", 1, vbTextCompare)').ok);
      assert.ok(!checkExpression('InStr("a", "b", 1, vbTextCompar)').ok);
      const call = checkExpression('ToLower(Now)');
      assert.ok(!call.ok);
    });

    it('keeps SelectUniqueValue at the top level', () => {
      assert.ok(checkExpression('SelectUniqueValue([a], [b])').ok);
      const nested = checkExpression('ToLower(SelectUniqueValue([a], [b]))');
      assert.ok(!nested.ok && nested.errors[0]?.code === 'ERR_EXPR_NOT_APPLICABLE' && nested.errors[0].position === 8);
    });

    it('rejects literal arguments that can never fit their parameter', () => {
      const cases: readonly [string, number, RegExp][] = [
        ['Left([x], "three")', 10, /numChars of Left must be an integer, got "three" at position 10/],
        ['Mid([x], 1.5, 2)', 9, /start of Mid must be an integer, got 1.5/],
        ['Item([p], True)', 10, /index of Item must be an integer, got True/],
        ['InStr("a", "b", 1, vbTextCompar)', 19, /compareType of InStr must be one of vbBinaryCompare, vbTextCompare, got vbTextCompar/],
      ];
      for (const [text, position, message] of cases) {
        const result = checkExpression(text);
        assert.ok(!result.ok, text);
        if (result.ok) continue;
        assert.equal(result.errors.length, 1, `one problem for ${text}`);
        assert.deepEqual([result.errors[0]?.code, result.errors[0]?.position], ['ERR_EXPR_ARGUMENT_TYPE', position], text);
        assert.match(result.errors[0]?.message ?? '', message);
      }
      assert.ok(checkExpression('Left([x], "3")').ok, 'integer text is fine');
      assert.ok(checkExpression('Left([x], [n])').ok, 'attributes are checked at run time');
      assert.ok(checkExpression('InStr("a", "B", 1, "VBTEXTCOMPARE")').ok);
      assert.equal(evaluateRaw('InStr("a", "A", 1, "VBTEXTCOMPARE")'), 1);
    });

    it('compileExpression throws the first problem', () => {
      assert.throws(() => compileExpression('ToLower([a]'), { code: 'ERR_EXPR_SYNTAX', position: 11 });
      assert.throws(() => compileExpression('ToLower([a], "tr", 3)'), { code: 'ERR_EXPR_ARITY', position: 0 });
    });
  });

  describe('slotted evaluation', () => {
    it('reads attributes from a snapshot by slot, answering what evaluation from the source answers', () => {
      const attributes: Record<string, Value> = { givenName: 'Adele', sn: 'Vance', proxyAddresses: ['SMTP:a@contoso.com', 'smtp:b@contoso.com'], empty: [] };
      const slots = ['givenname', 'SN', 'proxyaddresses', 'empty', 'missing'];
      const slotOf = (name: string) => slots.findIndex((s) => s.toLowerCase() === name.toLowerCase());
      const source = attributeSource(attributes);
      const snapshot = slots.map((name) => source.get(name));
      const expressions = [
        'Join(" ", [givenName], [SN])',
        'IIF(IsPresent([missing]), "yes", "no")',
        'IsNullOrEmpty([empty])',
        'Item([proxyAddresses], 2)',
        'IgnoreFlowIfNullOrEmpty([missing])',
        'Left([GIVENNAME], 3) & [notSlotted]',
      ];
      for (const text of expressions) {
        const compiled = compileExpression(text);
        assert.deepEqual(compiled.bindSlots(slotOf).evaluateSnapshot(snapshot, source), compiled.evaluateValue(source), text);
      }
      // an attribute without a slot is read from the source
      assert.equal(compileExpression('[notSlotted]').bindSlots(slotOf).evaluateSnapshot(snapshot, attributeSource({ notSlotted: 'x' })), 'x');
    });
  });
});
