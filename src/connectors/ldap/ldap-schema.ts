/**
 * Reads the server's attribute types from its subschema entry (RFC 4512 §4.2, §4.1.2):
 *
 *   AttributeTypeDescription = LPAREN WSP numericoid [ SP "NAME" SP qdescrs ] … [ SP "SUP" SP oid ]
 *       … [ SP "SYNTAX" SP noidlen ] [ SP "SINGLE-VALUE" ] …
 *
 * AD quotes the SYNTAX oid ('1.3.6.1.4.1.1466.115.121.1.40'); OpenLDAP appends a length ({32768}) and inherits
 * SYNTAX through SUP (cn SUP name). Both forms are handled. One read per connector (AD: ~1,500 types, a few ms).
 */
import { SYNTAX_BY_OID, type AttributeInfo, type AttributeSchema, type AttributeSyntax } from '../attribute-syntax.ts';
import type { LdapConnection } from './ldap-connection.ts';

interface ParsedType { names: string[]; oid: string; sup?: string; syntaxOid?: string; singleValued: boolean }

export function parseAttributeTypeDescription(text: string): ParsedType | undefined {
  const oid = /^\(\s*([\w.-]+)/.exec(text)?.[1];
  if (!oid) return undefined;
  const namesMatch = /\sNAME\s+(?:'([^']+)'|\(\s*((?:'[^']+'\s*)+)\))/.exec(text);
  const names = namesMatch ? (namesMatch[1] ? [namesMatch[1]] : [...(namesMatch[2] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]!)) : [];
  const syntaxOid = /\sSYNTAX\s+'?([\d.]+)/.exec(text)?.[1];
  const sup = /\sSUP\s+'?([\w.-]+)/.exec(text)?.[1];
  return { names, oid, singleValued: /\sSINGLE-VALUE[\s)]/.test(text), ...(syntaxOid ? { syntaxOid } : {}), ...(sup ? { sup } : {}) };
}

export function schemaFromAttributeTypes(descriptions: readonly string[]): AttributeSchema {
  const byName = new Map<string, ParsedType>();
  for (const d of descriptions) {
    const parsed = parseAttributeTypeDescription(d);
    if (!parsed) continue;
    byName.set(parsed.oid.toLowerCase(), parsed);
    for (const n of parsed.names) byName.set(n.toLowerCase(), parsed);
  }
  const cache = new Map<string, AttributeInfo | undefined>();
  const syntaxOf = (t: ParsedType, depth = 0): string | undefined =>
    t.syntaxOid ?? (t.sup && depth < 10 ? (() => { const s = byName.get(t.sup.toLowerCase()); return s ? syntaxOf(s, depth + 1) : undefined; })() : undefined);
  return {
    lookup(name) {
      const key = name.toLowerCase();
      if (cache.has(key)) return cache.get(key);
      const t = byName.get(key);
      let info: AttributeInfo | undefined;
      if (t) {
        const oid = syntaxOf(t);
        const syntax: AttributeSyntax = (oid && SYNTAX_BY_OID[oid]) || 'string';
        info = Object.freeze({ syntax, singleValued: t.singleValued });
      }
      cache.set(key, info);
      return info;
    },
  };
}

export async function readLdapSchema(connection: LdapConnection, subschemaSubentry: string): Promise<AttributeSchema> {
  const { searchEntries } = await connection.search(subschemaSubentry, {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: ['attributeTypes'],
  });
  const raw = searchEntries[0]?.['attributeTypes'] ?? [];
  const list = (Array.isArray(raw) ? raw : [raw]).map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
  return schemaFromAttributeTypes(list);
}
