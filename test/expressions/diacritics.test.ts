import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIACRITIC_TABLE, normalizeDiacritics } from '../../src/expressions/diacritics.ts';

describe('NormalizeDiacritics table', () => {
  it('maps every documented character, precomposed or decomposed', () => {
    let entries = 0;
    for (const [replacement, characters] of DIACRITIC_TABLE) {
      for (const character of characters.split(', ')) {
        entries++;
        assert.equal(normalizeDiacritics(character), replacement, character);
        assert.equal(normalizeDiacritics(character.normalize('NFC')), replacement, `${character} (NFC)`);
        assert.equal(normalizeDiacritics(character.normalize('NFD')), replacement, `${character} (NFD)`);
      }
    }
    assert.equal(entries, 261, 'all 261 documented characters');
  });
  it('leaves characters outside the table alone', () => {
    assert.equal(normalizeDiacritics('œ đ þ ŵ Ω 東京 😀'), 'œ đ þ ŵ Ω 東京 😀');
    assert.equal(normalizeDiacritics('w\u0302'), 'w\u0302', 'no renormalization of what is not replaced');
  });
  it('handles names, empty text and long text', () => {
    assert.equal(normalizeDiacritics('François Müller-Ødegård'), 'Francois Muller-OEdegard');
    assert.equal(normalizeDiacritics('Ǣ'), 'AE');
    assert.equal(normalizeDiacritics(''), '');
    assert.equal(normalizeDiacritics('é'.repeat(200_000)), 'e'.repeat(200_000));
  });
});
