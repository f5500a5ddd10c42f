/**
 * Upper- and lower-casing as .NET's TextInfo does it, which ToLower, ToUpper and PCase promise: "converts it
 * to lower case using the culture rules that are specified. If there's no culture info specified, then it
 * uses Invariant culture."
 *
 * .NET maps one character to one character (Unicode *simple* case mapping): invariant ToUpper("ß") is "ß",
 * ToLower("İ") is "i", and "Σ" lowers to "σ" wherever it stands. JavaScript's toUpperCase/toLowerCase use the
 * *full* mappings ("ß" → "SS", "İ" → "i̇", final sigma by context), which would change string lengths and
 * differ from Entra. So each code point is mapped alone and a mapping that yields more than one code point
 * is not applied. A culture (RFC 4646 name, e.g. `tr-TR`) selects culture rules: in Turkish and Azeri "I"
 * lowers to "ı" and "i" uppers to "İ".
 */
import { evaluationError } from './function-definition.ts';

const ASCII = /^[\x00-\x7F]*$/;
const DOTTED_CAPITAL_I = '\u0130';
/** Cultures whose rules differ from invariant for ASCII letters. */
const ASCII_SENSITIVE_LANGUAGES = new Set(['tr', 'az']);

const canonicalCultures = new Map<string, string | undefined>();

/** Canonical BCP 47 name, undefined for invariant (absent or ""), an evaluation error when malformed. */
export function resolveCulture(functionName: string, culture: string | null): string | undefined {
  if (culture === null || culture.trim() === '') return undefined;
  if (canonicalCultures.has(culture)) return canonicalCultures.get(culture);
  let canonical: string | undefined;
  try {
    canonical = Intl.getCanonicalLocales(culture.trim())[0];
  } catch {
    throw evaluationError(functionName, `culture ${JSON.stringify(culture)} is not a culture name such as "en-US" or "tr-TR"`);
  }
  canonicalCultures.set(culture, canonical);
  return canonical;
}

function language(culture: string | undefined): string | undefined {
  return culture?.split('-')[0]?.toLowerCase();
}

export function lowerCase(text: string, culture?: string): string {
  if (ASCII.test(text) && !ASCII_SENSITIVE_LANGUAGES.has(language(culture) ?? '')) return text.toLowerCase();
  let out = '';
  for (const ch of text) out += lowerChar(ch, culture);
  return out;
}

export function upperCase(text: string, culture?: string): string {
  if (ASCII.test(text) && !ASCII_SENSITIVE_LANGUAGES.has(language(culture) ?? '')) return text.toUpperCase();
  let out = '';
  for (const ch of text) out += upperChar(ch, culture);
  return out;
}

/** One code point to lower case, never to more than one code point. */
export function lowerChar(ch: string, culture?: string): string {
  const mapped = culture === undefined ? ch.toLowerCase() : ch.toLocaleLowerCase(culture);
  if (isSingleCodePoint(mapped)) return mapped;
  if (ch === DOTTED_CAPITAL_I) return 'i';
  return culture === undefined ? ch : lowerChar(ch);
}

/** One code point to upper case, never to more than one code point. */
export function upperChar(ch: string, culture?: string): string {
  const mapped = culture === undefined ? ch.toUpperCase() : ch.toLocaleUpperCase(culture);
  if (isSingleCodePoint(mapped)) return mapped;
  return culture === undefined ? ch : upperChar(ch);
}

function isSingleCodePoint(s: string): boolean {
  return s.length === 1 || (s.length === 2 && (s.codePointAt(0) as number) > 0xffff);
}
