/**
 * The replacement table of Entra's NormalizeDiacritics, exactly as documented (functions-for-customizing-
 * application-data.md, "NormalizeDiacritics"): "Returns the string, but with any diacritical characters
 * replaced with equivalent nondiacritical characters."
 *
 * The table is the contract, not Unicode decomposition: characters it does not list pass through unchanged
 * (so "ŵ", "đ" and a bare "œ" stay as they are, as in Entra), and some entries are not decompositions at
 * all ("ø" → "oe", "ß" → "ss", "ı" → "i").
 *
 * Several entries are base letters with *combining* marks ("ā́" is a + U+0304 + U+0301). Input may arrive
 * precomposed (NFC) or decomposed (NFD) depending on the source system, so every entry is indexed in both
 * forms and the input is scanned longest match first; nothing else in the string is renormalized.
 */

/** [replacement, documented characters] — the rows of Microsoft's table, left column then right. */
export const DIACRITIC_TABLE: readonly (readonly [string, string])[] = [
  ['a', 'ä, à, â, ã, å, á, ą, ă, ā, ā́, ā̀, ā̂, ā̃, ǟ, ā̈, ǡ, a̱, å̄'],
  ['A', 'Ä, À, Â, Ã, Å, Á, Ą, Ă, Ā, Ā́, Ā̀, Ā̂, Ā̃, Ǟ, Ā̈, Ǡ, A̱, Å̄'],
  ['ae', 'æ, ǣ'],
  ['AE', 'Æ, Ǣ'],
  ['c', 'ç, č, ć, c̄, c̱'],
  ['C', 'Ç, Č, Ć, C̄, C̱'],
  ['d', 'ď, d̄, ḏ'],
  ['D', 'Ď, D̄, Ḏ'],
  ['e', 'ë, è, é, ê, ę, ě, ė, ē, ḗ, ḕ, ē̂, ē̃, ê̄, e̱, ë̄, e̊̄'],
  ['E', 'Ë, È, É, Ê, Ę, Ě, Ė, Ē, Ḗ, Ḕ, Ē̂, Ē̃, Ê̄, E̱, Ë̄, E̊̄'],
  ['g', 'ğ, ḡ, g̱'],
  ['G', 'Ğ, Ḡ, G̱'],
  ['i', 'ï, î, ì, í, ı, ī, ī́, ī̀, ī̂, ī̃, i̱'],
  ['I', 'Ï, Î, Ì, Í, İ, Ī, Ī́, Ī̀, Ī̂, Ī̃, I̱'],
  ['l', 'ľ, ł, l̄, ḹ, ḻ'],
  ['L', 'Ł, Ľ, L̄, Ḹ, Ḻ'],
  ['n', 'ñ, ń, ň, n̄, ṉ'],
  ['N', 'Ñ, Ń, Ň, N̄, Ṉ'],
  ['o', 'ö, ò, ő, õ, ô, ó, ō, ṓ, ṑ, ō̂, ō̃, ȫ, ō̈, ǭ, ȭ, ȱ, o̱'],
  ['O', 'Ö, Ò, Ő, Õ, Ô, Ó, Ō, Ṓ, Ṑ, Ō̂, Ō̃, Ȫ, Ō̈, Ǭ, Ȭ, Ȱ, O̱'],
  ['oe', 'ø, ø̄, œ̄'],
  ['OE', 'Ø, Ø̄, Œ̄'],
  ['r', 'ř, r̄, ṟ, ṝ'],
  ['R', 'Ř, R̄, Ṟ, Ṝ'],
  ['ss', 'ß'],
  ['s', 'š, ś, ș, ş, s̄, s̱'],
  ['S', 'Š, Ś, Ș, Ş, S̄, S̱'],
  ['t', 'ť, ț, t̄, ṯ'],
  ['T', 'Ť, Ț, T̄, Ṯ'],
  ['u', 'ü, ù, û, ú, ů, ű, ū, ū́, ū̀, ū̂, ū̃, u̇̄, ǖ, ṻ, ṳ̄, u̱'],
  ['U', 'Ü, Ù, Û, Ú, Ů, Ű, Ū, Ū́, Ū̀, Ū̂, Ū̃, U̇̄, Ǖ, Ṻ, Ṳ̄, U̱'],
  ['y', 'ÿ, ý, ȳ, ȳ́, ȳ̀, ȳ̃, y̱'],
  ['Y', 'Ÿ, Ý, Ȳ, Ȳ́, Ȳ̀, Ȳ̃, Y̱'],
  ['z', 'ź, ž, ż, z̄, ẕ'],
  ['Z', 'Ź, Ž, Ż, Z̄, Ẕ'],
];

const REPLACEMENTS: ReadonlyMap<string, string> = buildReplacements();
const LONGEST_KEY = Math.max(...[...REPLACEMENTS.keys()].map((k) => k.length));

function buildReplacements(): Map<string, string> {
  const map = new Map<string, string>();
  for (const [replacement, characters] of DIACRITIC_TABLE) {
    for (const character of characters.split(', ')) {
      for (const form of [character, character.normalize('NFC'), character.normalize('NFD')]) {
        const existing = map.get(form);
        if (existing !== undefined && existing !== replacement) {
          throw new TypeError(`diacritics table: "${form}" maps to both "${existing}" and "${replacement}"`);
        }
        map.set(form, replacement);
      }
    }
  }
  return map;
}

export function normalizeDiacritics(text: string): string {
  let out = '';
  let i = 0;
  outer: while (i < text.length) {
    // Fast path: an ASCII character not followed by a combining mark (U+0300…U+036F) is never in the table.
    if (text.charCodeAt(i) < 0x80) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0x300 && next <= 0x36f)) {
        out += text[i];
        i++;
        continue;
      }
    }
    for (let length = Math.min(LONGEST_KEY, text.length - i); length > 0; length--) {
      const replacement = REPLACEMENTS.get(text.slice(i, i + length));
      if (replacement !== undefined) {
        out += replacement;
        i += length;
        continue outer;
      }
    }
    out += text[i];
    i++;
  }
  return out;
}
