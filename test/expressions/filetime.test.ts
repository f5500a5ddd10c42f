import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FILETIME_MAX, FILETIME_NEVER, FILETIME_UNIX_EPOCH, dateFromFiletime, filetimeFromDate } from '../../src/expressions/filetime.ts';
import { dotnetDateTime, utcDate } from '../../src/expressions/dotnet-date-time.ts';

describe('FILETIME', () => {
  it('converts Entra\'s example both ways', () => {
    const date = dateFromFiletime(129_699_324_000_000_000n);
    assert.equal(date.date.toISOString(), '2012-01-01T23:00:00.000Z');
    assert.equal(filetimeFromDate(date), 129_699_324_000_000_000n);
  });
  it('keeps 100-nanosecond ticks, before and after 1970', () => {
    const value = 129_699_324_000_001_234n;
    const date = dateFromFiletime(value);
    assert.equal(date.subMillisecondTicks, 1234);
    assert.equal(filetimeFromDate(date), value);
    const old = dateFromFiletime(FILETIME_UNIX_EPOCH - 1n);
    assert.equal(old.date.toISOString(), '1969-12-31T23:59:59.999Z');
    assert.equal(old.subMillisecondTicks, 9999);
    assert.equal(filetimeFromDate(old), FILETIME_UNIX_EPOCH - 1n);
  });
  it('covers 1601-01-01 to 9999-12-31 and refuses AD\'s "never" marker', () => {
    assert.equal(dateFromFiletime(0n).date.toISOString(), '1601-01-01T00:00:00.000Z');
    assert.equal(dateFromFiletime(FILETIME_MAX).date.toISOString(), '9999-12-31T23:59:59.999Z');
    assert.throws(() => dateFromFiletime(FILETIME_NEVER), { code: 'ERR_EXPR_EVALUATION', message: /never expires/ });
    assert.throws(() => dateFromFiletime(-1n), { code: 'ERR_EXPR_EVALUATION' });
    assert.throws(() => filetimeFromDate(dotnetDateTime(utcDate(1600, 12, 31))), { code: 'ERR_EXPR_EVALUATION', message: /before 1601/ });
  });
});
