/**
 * The comparison operators of conditions ("The following comparison operators can be used in the condition:
 * Equal to (=) and not equal to (<>), Greater than (>) and greater than equal to (>=), Less than (<) and less
 * than equal to (<=)", IIF) and `&` concatenation.
 *
 * Semantics (Microsoft documents none beyond the list above; these follow VBA and .NET defaults):
 * - Text compares ordinally and case-sensitively, as Switch does ("performs a case-sensitive string
 *   comparison").
 * - When one side is a number, the other is compared as a number if it is numeric text (`DateDiff(…) > 5`).
 * - A boolean equals the text "True"/"False" in any case.
 * - Null compares as the empty string. Entra's "If the source attribute used within the IIF function is empty
 *   or null, the condition check fails" is a documented defect; `IIF([country]="", "Other", [country])` works
 *   here.
 * - A multi-valued side is equal when any of its values is equal (`<>` is the negation); ordering a
 *   multi-valued value is an error.
 */
import type { ComparisonOperator } from './ast.ts';
import { comparableText, describeValue, scalarText, truthOf } from './coerce.ts';
import { evaluationError } from './function-definition.ts';
import type { Scalar, Value } from './value.ts';

type Ordering = -1 | 0 | 1 | undefined;

const NUMERIC_TEXT = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)\s*$/;

export function compareValues(operator: ComparisonOperator, left: Value, right: Value): boolean {
  if (Array.isArray(left) || Array.isArray(right)) {
    if (operator !== '=' && operator !== '<>') {
      throw evaluationError(operator, `cannot order a multi-valued value: ${describeValue(Array.isArray(left) ? left : right)}`);
    }
    const lefts = Array.isArray(left) ? left : [left];
    const rights = Array.isArray(right) ? right : [right];
    const any = lefts.some((l) => rights.some((r) => order(l as Scalar | null, r as Scalar | null) === 0));
    return operator === '=' ? any : !any;
  }
  const result = order(left as Scalar | null, right as Scalar | null);
  switch (operator) {
    case '=': return result === 0;
    case '<>': return result !== 0;
    default:
      if (result === undefined) {
        throw evaluationError(operator, `cannot order ${describeValue(left)} and ${describeValue(right)}`);
      }
      switch (operator) {
        case '<': return result < 0;
        case '<=': return result <= 0;
        case '>': return result > 0;
        default: return result >= 0;
      }
  }
}

/** undefined = unordered (binary); equality of unordered values is by content. */
function order(left: Scalar | null, right: Scalar | null): Ordering {
  const l = left ?? '';
  const r = right ?? '';
  if (l instanceof Uint8Array || r instanceof Uint8Array) {
    return comparableText(l) === comparableText(r) ? 0 : undefined;
  }
  if (typeof l === 'boolean' || typeof r === 'boolean') {
    const lt = truthOf(l);
    const rt = truthOf(r);
    if (typeof l === 'boolean' && typeof r === 'boolean') return sign(Number(l) - Number(r));
    if ((typeof l === 'boolean' ? rt : lt) === undefined || (typeof l === 'string' && l.trim() === '') || (typeof r === 'string' && r.trim() === '')) {
      return textOrder(l, r);
    }
    return sign(Number(lt) - Number(rt));
  }
  const ln = numeric(l, r);
  const rn = numeric(r, l);
  if (ln !== undefined && rn !== undefined) {
    if (typeof ln === 'bigint' || typeof rn === 'bigint') {
      if (isInteger(ln) && isInteger(rn)) {
        const a = BigInt(ln);
        const b = BigInt(rn);
        return a < b ? -1 : a > b ? 1 : 0;
      }
      return sign(Number(ln) - Number(rn));
    }
    return sign(ln - rn);
  }
  if (l instanceof Date && r instanceof Date) return sign(l.getTime() - r.getTime());
  return textOrder(l, r);
}

/** A side is numeric when it is a number, or numeric text compared against a number. */
function numeric(value: Scalar, other: Scalar): number | bigint | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'string' && (typeof other === 'number' || typeof other === 'bigint') && NUMERIC_TEXT.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) || !/^\s*[+-]?\d+\s*$/.test(value) ? n : BigInt(value.trim());
  }
  return undefined;
}

function isInteger(n: number | bigint): boolean {
  return typeof n === 'bigint' || Number.isInteger(n);
}

function textOrder(l: Scalar, r: Scalar): Ordering {
  const a = scalarText(l) as string;
  const b = scalarText(r) as string;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sign(n: number): Ordering {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}
