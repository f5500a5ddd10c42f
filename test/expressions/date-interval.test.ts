import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addInterval, diffInterval, parseDateInterval } from '../../src/expressions/date-interval.ts';
import { dotnetDateTime, utcDate } from '../../src/expressions/dotnet-date-time.ts';

const at = (iso: string) => dotnetDateTime(new Date(iso));

describe('DateAdd / DateDiff intervals', () => {
  it('accepts the documented intervals in any case, nothing else', () => {
    assert.equal(parseDateInterval('DateAdd', 'YYYY'), 'yyyy');
    assert.equal(parseDateInterval('DateAdd', 'M'), 'm');
    for (const bad of ['q', 'w', 'y', 'days', '', null]) {
      assert.throws(() => parseDateInterval('DateAdd', bad), { code: 'ERR_EXPR_EVALUATION', message: /interval/ }, String(bad));
    }
  });
  it('adds months and years clamping the day, keeping the time', () => {
    assert.equal(addInterval('DateAdd', 'm', 1, at('2024-01-31T10:00:00Z')).date.toISOString(), '2024-02-29T10:00:00.000Z');
    assert.equal(addInterval('DateAdd', 'yyyy', 1, at('2024-02-29T00:00:00Z')).date.toISOString(), '2025-02-28T00:00:00.000Z');
    assert.equal(addInterval('DateAdd', 'm', -13, at('2024-03-31T00:00:00Z')).date.toISOString(), '2023-02-28T00:00:00.000Z');
    assert.equal(addInterval('DateAdd', 'n', 90, at('2024-01-01T00:00:00Z')).date.toISOString(), '2024-01-01T01:30:00.000Z');
  });
  it('refuses results outside 0001-9999', () => {
    assert.throws(() => addInterval('DateAdd', 'yyyy', 1, dotnetDateTime(utcDate(9999, 6, 1))), { code: 'ERR_EXPR_EVALUATION' });
    assert.throws(() => addInterval('DateAdd', 'd', -1, dotnetDateTime(utcDate(1, 1, 1))), { code: 'ERR_EXPR_EVALUATION' });
  });
  it('counts calendar boundaries for years and months, elapsed units otherwise', () => {
    const a = at('2023-12-31T23:59:59Z');
    const b = at('2024-01-01T00:00:00Z');
    assert.equal(diffInterval('yyyy', a, b), 1);
    assert.equal(diffInterval('m', a, b), 1);
    assert.equal(diffInterval('d', a, b), 0);
    assert.equal(diffInterval('s', a, b), 1);
    assert.equal(diffInterval('h', b, a), 0, 'truncated toward zero, never -1 for a second');
    assert.equal(diffInterval('d', at('2024-01-01T12:00:00Z'), at('2024-01-03T11:59:59Z')), 1);
  });
  it('counts Sunday-based weeks', () => {
    assert.equal(diffInterval('ww', at('2024-06-08T00:00:00Z'), at('2024-06-09T00:00:00Z')), 1, 'Saturday to Sunday crosses a week');
    assert.equal(diffInterval('ww', at('2024-06-09T00:00:00Z'), at('2024-06-15T23:00:00Z')), 0, 'Sunday to Saturday does not');
  });
});
