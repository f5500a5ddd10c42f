/**
 * Positions and lengths in Unicode code points. Entra counts UTF-16 code units, as .NET does, and so can cut
 * a character outside the Basic Multilingual Plane (an emoji, a rare CJK ideograph) in half; we count code
 * points so Left, Mid, InStr and Word never produce a lone surrogate. For text without surrogates, which is
 * nearly all directory data, both counts agree and the fast paths below are plain string operations.
 */
const SURROGATE = /[\uD800-\uDFFF]/;

export function hasSurrogates(text: string): boolean {
  return SURROGATE.test(text);
}

export function codePointLength(text: string): number {
  if (!hasSurrogates(text)) return text.length;
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Code points [start, end) of text, 0-based; clipped to the text. */
export function sliceCodePoints(text: string, start: number, end = Infinity): string {
  if (!hasSurrogates(text)) return text.slice(start, end === Infinity ? undefined : end);
  return Array.from(text).slice(start, end === Infinity ? undefined : end).join('');
}

/** 0-based code-point index of `search` at or after code point `from`, or -1. */
export function indexOfCodePoints(text: string, search: string, from: number, ignoreCase = false): number {
  const haystack = ignoreCase ? text.toLowerCase() : text;
  const needle = ignoreCase ? search.toLowerCase() : search;
  if (!hasSurrogates(text) && haystack.length === text.length) {
    return haystack.indexOf(needle, from);
  }
  // Map the code-point offset to a code-unit offset and back; lower-casing can change lengths (İ).
  const points = Array.from(text);
  const lowered = ignoreCase ? points.map((p) => p.toLowerCase()) : points;
  const needlePoints = Array.from(needle);
  for (let i = from; i + needlePoints.length <= points.length; i++) {
    let match = true;
    for (let j = 0; j < needlePoints.length; j++) {
      if (lowered[i + j] !== needlePoints[j]) {
        match = false;
        break;
      }
    }
    if (match) return i;
  }
  return -1;
}
