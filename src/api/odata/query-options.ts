/**
 * Reads the OData system query options of a GET on a collection into the directory's ListQuery plus the
 * `$select` projection. One function so every list route accepts and refuses the same things.
 *
 * Graph's rules kept here:
 * - `$count=true` is an advanced query: it needs the `ConsistencyLevel: eventual` header, otherwise Graph answers
 *   400 "$count is not currently supported.".
 * - Options are matched case-insensitively (`$skipToken` and `$skiptoken` are the same), with or without `$`
 *   only where Graph v1.0 allows it (we require the `$`, which every SDK sends).
 * - An option given twice is ambiguous and refused rather than guessed.
 */
import { CloudsyncError } from '../../errors/index.ts';
import type { ListQuery, OrderableProperty } from '../../directory/query.ts';
import { parseFilter } from './filter-parser.ts';
import { parseOrderBy } from './orderby.ts';
import { parseSelect, type Selection } from './select.ts';
import { parseTop } from './top.ts';

/** Options a collection may accept. Anything else starting with `$` is refused by name. */
export const LIST_OPTIONS = ['$filter', '$select', '$top', '$orderby', '$count', '$skiptoken'] as const;
export type ListOption = (typeof LIST_OPTIONS)[number];

/** Options Graph has on directory objects that we do not implement: refused as unsupported, not ignored. */
const UNSUPPORTED_OPTIONS = new Set(['$expand', '$search', '$skip', '$format', '$apply', '$compute', '$levels', '$deltatoken']);

export type RawQuery = Readonly<Record<string, string | string[] | undefined>>;

export interface ListOptionsSpec {
  /** Canonical properties of the resource type, for `$select`. */
  readonly properties: readonly string[];
  /** Graph's qualified type name, for messages. */
  readonly typeName: string;
  /** Which options this route accepts (members lists take no `$filter`/`$orderby`). */
  readonly accepts?: readonly ListOption[];
  readonly orderable?: readonly OrderableProperty[];
}

export interface ListOptions {
  readonly query: ListQuery;
  readonly select: Selection | undefined;
}

/** Normalizes option names to lower case and refuses repeated ones. */
export function normalizeQuery(raw: RawQuery): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    if (Array.isArray(value) || out.has(key)) {
      throw new CloudsyncError('ERR_HTTP_BAD_REQUEST', `Query option '${name}' was specified more than once; give it once.`, { path: name });
    }
    out.set(key, value);
  }
  return out;
}

export function parseCount(text: string | undefined, consistencyLevel: string | undefined): boolean {
  if (text === undefined) return false;
  const value = text.trim().toLowerCase();
  if (value !== 'true' && value !== 'false') {
    throw new CloudsyncError('ERR_HTTP_BAD_REQUEST', `Invalid $count '${text}': expected true or false.`, { path: '$count' });
  }
  if (value === 'true' && consistencyLevel?.trim().toLowerCase() !== 'eventual') {
    throw new CloudsyncError('ERR_HTTP_BAD_REQUEST', '$count is not currently supported. Send the header ConsistencyLevel: eventual with $count=true (an advanced query).', {
      path: '$count',
    });
  }
  return value === 'true';
}

export function parseListOptions(raw: RawQuery, consistencyLevel: string | undefined, spec: ListOptionsSpec): ListOptions {
  const options = normalizeQuery(raw);
  const accepts = new Set<string>(spec.accepts ?? LIST_OPTIONS);
  for (const name of options.keys()) {
    if (!name.startsWith('$')) continue;
    if (accepts.has(name)) continue;
    if (UNSUPPORTED_OPTIONS.has(name) || (LIST_OPTIONS as readonly string[]).includes(name)) {
      throw new CloudsyncError('ERR_ODATA_UNSUPPORTED', `The query option '${name}' is not supported on this request.`, { path: name });
    }
    throw new CloudsyncError('ERR_HTTP_BAD_REQUEST', `Unknown query option '${name}'; supported here: ${[...accepts].join(', ')}.`, { path: name });
  }
  const filterText = options.get('$filter');
  const orderText = options.get('$orderby');
  const selectText = options.get('$select');
  const skipToken = options.get('$skiptoken');
  const count = parseCount(options.get('$count'), consistencyLevel);
  const query: ListQuery = {
    top: parseTop(options.get('$top')),
    ...(filterText === undefined ? {} : { filter: parseFilter(filterText) }),
    ...(orderText === undefined ? {} : { orderBy: parseOrderBy(orderText, spec.orderable) }),
    ...(skipToken === undefined || skipToken === '' ? {} : { skipToken }),
    ...(count ? { count } : {}),
  };
  const select = selectText === undefined ? undefined : parseSelect(selectText, spec.properties, spec.typeName);
  return { query, select };
}
