/**
 * `$select`: which properties a response carries.
 *
 *   select     = ( "$select" / "select" ) EQ BWS selectItem *( BWS COMMA BWS selectItem )
 *   selectItem = STAR / selectProperty                      ; OData 4.01 Part 2 §5.1.3, simplified
 *
 * Graph matches property names case-insensitively and answers the names in their canonical case, so `$select=
 * displayname` returns `displayName`. Directory extensions (`extension_<appId>_<name>`) are not known until the
 * object is read, so any well-formed extension name is accepted; an unset one is simply absent, as in Graph.
 */
import { CloudsyncError } from '../../errors/index.ts';

const EXTENSION_NAME = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]+$/i;

export interface Selection {
  /** Canonical property names, in the order asked, without duplicates. */
  readonly properties: readonly string[];
}

/**
 * @param known canonical property names of the resource type
 * @param typeName Graph's qualified type name for the message (`microsoft.graph.user`)
 */
export function parseSelect(text: string, known: readonly string[], typeName: string): Selection | undefined {
  const byLowerCase = new Map(known.map((name) => [name.toLowerCase(), name]));
  const properties: string[] = [];
  let position = 0;
  for (const raw of text.split(',')) {
    const item = raw.trim();
    const at = position + raw.indexOf(item);
    position += raw.length + 1;
    if (item === '') {
      throw new CloudsyncError('ERR_ODATA_SELECT', `Invalid $select: an empty property name at position ${at}; separate names with single commas.`, { path: '$select', position: at });
    }
    // `*` means every property, which is what no $select means too.
    if (item === '*') return undefined;
    const canonical = byLowerCase.get(item.toLowerCase()) ?? (EXTENSION_NAME.test(item) ? item : undefined);
    if (canonical === undefined) {
      throw new CloudsyncError('ERR_ODATA_SELECT', `Could not find a property named '${item}' on type '${typeName}' (in $select at position ${at}).`, {
        path: '$select',
        position: at,
      });
    }
    if (!properties.includes(canonical)) properties.push(canonical);
  }
  return Object.freeze({ properties: Object.freeze(properties) });
}

/** Projects an object on a selection. `@odata.type` stays when the caller keeps it (mixed collections). */
export function applySelect(object: Readonly<Record<string, unknown>>, selection: Selection, keep: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of keep) if (name in object) out[name] = object[name];
  for (const name of selection.properties) {
    const value = object[name];
    if (value !== undefined) out[name] = value;
    else if (!name.startsWith('extension_')) out[name] = null;
  }
  return out;
}
