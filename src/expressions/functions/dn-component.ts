/**
 * DNComponent — "The DNComponent function returns the value of a specified DN component going from left."
 * `str DNComponent(ref dn, num ComponentNumber)`; example: `DNComponent(CRef([dn]),1)` — "If dn is
 * "cn=Joe,ou=…," it returns Joe".
 *
 * The DN is read as RFC 4514 §3 writes it:
 *   distinguishedName = [ relativeDistinguishedName *( COMMA relativeDistinguishedName ) ]
 *   relativeDistinguishedName = attributeTypeAndValue *( PLUS attributeTypeAndValue )
 *   attributeTypeAndValue = attributeType EQUALS attributeValue
 *   "a backslash quoting a character … or a pair of hex digits" (§2.4) — escapes are undone in the result.
 * Semicolons also separate RDNs (RFC 1779, still produced by some servers).
 */
import { integerOf, singleText } from '../coerce.ts';
import { evaluationError, type ExpressionFunction } from '../function-definition.ts';

const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;

/** The unescaped value of the first attribute of each RDN, left to right. */
export function rdnValues(functionName: string, dn: string): string[] {
  const values: string[] = [];
  let i = 0;
  while (i < dn.length) {
    // attributeType up to the first unescaped "="
    const equals = dn.indexOf('=', i);
    if (equals < 0) throw evaluationError(functionName, `${JSON.stringify(dn)} is not a distinguished name (no "=" after position ${i})`);
    const bytes: number[] = [];
    const encoder = new TextEncoder();
    let j = equals + 1;
    let inFirstValue = true;
    let trailingSpaces = 0;
    let leading = true;
    for (; j < dn.length; j++) {
      const c = dn[j] as string;
      if (c === ',' || c === ';') break;
      if (c === '+') inFirstValue = false;
      if (!inFirstValue) {
        if (c === '\\') j++;
        continue;
      }
      if (c === '\\') {
        const pair = dn.slice(j + 1, j + 3);
        if (HEX_PAIR.test(pair)) {
          bytes.push(Number.parseInt(pair, 16));
          j += 2;
        } else if (j + 1 < dn.length) {
          bytes.push(...encoder.encode(dn[j + 1] as string));
          j += 1;
        }
        trailingSpaces = 0;
        leading = false;
        continue;
      }
      if (c === ' ') {
        if (leading) continue;
        trailingSpaces++;
      } else {
        trailingSpaces = 0;
        leading = false;
      }
      const code = dn.codePointAt(j) as number;
      const ch = String.fromCodePoint(code);
      bytes.push(...encoder.encode(ch));
      if (code > 0xffff) j++;
    }
    const value = new TextDecoder().decode(new Uint8Array(bytes.slice(0, bytes.length - trailingSpaces)));
    values.push(value);
    i = j + 1;
  }
  return values;
}

export const dnComponent: ExpressionFunction = {
  name: 'DNComponent',
  summary: 'Returns the value of the n-th RDN of a distinguished name, counting from the left (1 = first).',
  syntax: 'DNComponent(dn, componentNumber)',
  semantics:
    'The dn may be a reference attribute or DN text. Escapes (`\\,`, `\\2C`) are undone. For a multi-valued RDN ' +
    '(`cn=a+uid=b`) the first value is returned. A component beyond the end is NULL; a componentNumber below 1 is an error.',
  parameters: [
    { name: 'dn', description: 'The reference attribute (or DN text) to interpret.', required: true },
    { name: 'componentNumber', type: 'integer', description: 'Which component to return, 1 for the leftmost.', required: true },
  ],
  minArgs: 2,
  maxArgs: 2,
  examples: [
    { expression: 'DNComponent([dn], 1)', attributes: { dn: { dn: 'cn=Joe,ou=Sales,dc=contoso,dc=com' } }, result: 'Joe' },
    { expression: 'DNComponent([manager], 2)', attributes: { manager: 'CN=Smith\\, John,OU=Sales,DC=contoso,DC=com' }, result: 'Sales' },
    { expression: 'DNComponent([manager], 1)', attributes: { manager: 'CN=Smith\\, John,OU=Sales,DC=contoso,DC=com' }, result: 'Smith, John' },
    { expression: 'DNComponent([dn], 9)', attributes: { dn: 'cn=Joe,dc=contoso,dc=com' }, result: null },
  ],
  deviation: 'Takes DN text as well as a reference, so CRef() is not needed.',
  evaluate([dn, componentNumber]) {
    const index = integerOf('DNComponent', 'componentNumber', componentNumber ?? null);
    if (index < 1) throw evaluationError('DNComponent', `componentNumber must be 1 or more, got ${index}`);
    const text = singleText('DNComponent', 'dn', dn ?? null);
    if (text === null) return null;
    return rdnValues('DNComponent', text)[index - 1] ?? null;
  },
};
