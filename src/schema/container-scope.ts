/**
 * Container scope ("Selected organizational units") and group scope ("Selected security groups").
 *
 * Entra (how-to-configure.md): "Selected organizational units: Scopes the configuration to apply to specific
 * OUs" — nested OUs included; "Nested objects beyond the first level will not be included when scoping using
 * security groups." Graph (containerFilter): "An empty list means no container filtering is configured."
 *
 * Scope is keyed by objectGUID (see object-guid.ts): the caller (the engine, which knows the directory tree)
 * supplies the GUIDs of the object's ancestor OUs and of the groups it belongs to, directly and transitively.
 * An entry that has no GUID pinned falls back to DN matching, which is not rename-safe; the engine pins GUIDs
 * when a configuration is saved (formatScopeReference).
 *
 * Group scope is first-level as in Entra; `transitive: true` (our opt-in, stored as rule metadata
 * GROUP_SCOPE_NESTING_METADATA_KEY = "Transitive") also admits members of nested groups.
 */
import { CloudsyncError } from '../errors/index.ts';
import { formatScopeReference, normalizeGuid, parseScopeReference, type ScopeReference } from './object-guid.ts';

export interface ContainerFilter {
  readonly includedContainers?: readonly string[] | null;
}

export interface GroupFilter {
  readonly includedGroups?: readonly string[] | null;
}

/** What the engine knows about where the object sits and what it belongs to. GUIDs canonical (normalizeGuid). */
export interface ObjectPlacement {
  readonly distinguishedName?: string;
  /** GUIDs of every OU/container above the object, nearest first or in any order */
  readonly ancestorGuids?: ReadonlySet<string>;
  /** GUIDs of groups the object is a direct member of */
  readonly memberOf?: ReadonlySet<string>;
  /** GUIDs of groups the object is a member of directly or through nesting */
  readonly transitiveMemberOf?: ReadonlySet<string>;
  /** canonicalDn() of direct groups: only consulted for entries that have no GUID pinned yet */
  readonly memberOfDns?: ReadonlySet<string>;
  /** canonicalDn() of direct and nested groups: only consulted for entries that have no GUID pinned yet */
  readonly transitiveMemberOfDns?: ReadonlySet<string>;
}

export interface MembershipScopeTrace {
  /** false when the list is empty: no filtering of this kind */
  readonly configured: boolean;
  readonly result: boolean;
  /** the entry (as written) that admitted the object */
  readonly matched: string | undefined;
  /** how it matched: by pinned GUID (rename-safe) or by DN (legacy entry) */
  readonly matchedBy: 'guid' | 'dn' | undefined;
}

export const GROUP_SCOPE_NESTING_METADATA_KEY = 'GroupScopeNesting';
export const GROUP_SCOPE_NESTINGS = ['Direct', 'Transitive'] as const;
export type GroupScopeNesting = (typeof GROUP_SCOPE_NESTINGS)[number];

export interface CompiledMembershipScope {
  readonly entries: readonly ScopeReference[];
  /** group scope: whether members of nested groups count (the engine then supplies transitiveMemberOf) */
  readonly nesting?: GroupScopeNesting;
  /** entries still keyed by DN only (imported from Entra): the engine should pin their GUIDs */
  readonly unpinned: readonly ScopeReference[];
  evaluate(placement: ObjectPlacement): MembershipScopeTrace;
}

const SPACE_TO_DROP = /^\s|\s$|\s[,=+]|[,=+]\s/;

/** RFC 4514 DNs compare case-insensitively for AD attribute types and values; spaces around separators vary. */
export function canonicalDn(dn: string): string {
  // Servers return DNs without such spaces: when no whitespace touches an end or a separator, the trim and the
  // replace change nothing and are skipped (each object of a sync canonicalises its DN several times).
  return SPACE_TO_DROP.test(dn) ? dn.trim().replace(/\s*([,=+])\s*/g, '$1').toLowerCase() : dn.toLowerCase();
}

function compileEntries(entries: readonly string[] | null | undefined, path: string): readonly ScopeReference[] {
  if (entries === null || entries === undefined) return [];
  if (!Array.isArray(entries)) throw new CloudsyncError('ERR_SCOPE_INVALID', `${path}: must be an array of strings`, { path });
  return entries.map((entry, index) => {
    if (typeof entry !== 'string' || entry.trim() === '') {
      throw new CloudsyncError('ERR_SCOPE_INVALID', `${path}[${index}]: must be a distinguished name or <GUID=…>;DN`, { path: `${path}[${index}]` });
    }
    const reference = parseScopeReference(entry);
    if (reference.guid === undefined && reference.dn === undefined) {
      throw new CloudsyncError('ERR_SCOPE_INVALID', `${path}[${index}]: ${JSON.stringify(entry)} has neither a valid GUID nor a DN`, { path: `${path}[${index}]` });
    }
    return reference;
  });
}

const NOT_CONFIGURED: MembershipScopeTrace = Object.freeze({ configured: false, result: true, matched: undefined, matchedBy: undefined });
const NO_MATCH: MembershipScopeTrace = Object.freeze({ configured: true, result: false, matched: undefined, matchedBy: undefined });

export function compileContainerScope(filter: ContainerFilter | null | undefined, path = 'containerFilter'): CompiledMembershipScope {
  const entries = compileEntries(filter?.includedContainers, `${path}.includedContainers`);
  const dnSuffixes = entries.map((e) => (e.dn === undefined ? undefined : `,${canonicalDn(e.dn)}`));
  return Object.freeze({
    entries,
    unpinned: entries.filter((e) => e.guid === undefined),
    evaluate(placement: ObjectPlacement): MembershipScopeTrace {
      if (entries.length === 0) return NOT_CONFIGURED;
      const objectDn = placement.distinguishedName === undefined ? undefined : canonicalDn(placement.distinguishedName);
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i] as ScopeReference;
        if (entry.guid !== undefined) {
          if (placement.ancestorGuids?.has(entry.guid) === true) return { configured: true, result: true, matched: entry.text, matchedBy: 'guid' };
          continue;
        }
        const suffix = dnSuffixes[i];
        if (suffix !== undefined && objectDn !== undefined && objectDn.endsWith(suffix)) {
          return { configured: true, result: true, matched: entry.text, matchedBy: 'dn' };
        }
      }
      return NO_MATCH;
    },
  });
}

export function compileGroupScope(
  filter: GroupFilter | null | undefined,
  options: { readonly nesting?: GroupScopeNesting } = {},
  path = 'groupFilter',
): CompiledMembershipScope {
  const nesting = options.nesting ?? 'Direct';
  if (!GROUP_SCOPE_NESTINGS.includes(nesting)) throw new TypeError(`nesting must be one of ${GROUP_SCOPE_NESTINGS.join(', ')}`);
  const entries = compileEntries(filter?.includedGroups, `${path}.includedGroups`);
  const dns = entries.map((e) => (e.guid === undefined && e.dn !== undefined ? canonicalDn(e.dn) : undefined));
  return Object.freeze({
    entries,
    nesting,
    unpinned: entries.filter((e) => e.guid === undefined),
    evaluate(placement: ObjectPlacement): MembershipScopeTrace {
      if (entries.length === 0) return NOT_CONFIGURED;
      const transitive = nesting === 'Transitive';
      const guids = transitive ? placement.transitiveMemberOf ?? placement.memberOf : placement.memberOf;
      const groupDns = transitive ? placement.transitiveMemberOfDns ?? placement.memberOfDns : placement.memberOfDns;
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i] as ScopeReference;
        if (entry.guid !== undefined) {
          if (guids?.has(entry.guid) === true) return { configured: true, result: true, matched: entry.text, matchedBy: 'guid' };
        } else if (groupDns?.has(dns[i] as string) === true) {
          return { configured: true, result: true, matched: entry.text, matchedBy: 'dn' };
        }
      }
      return NO_MATCH;
    },
  });
}

export interface PinnedScopeEntries {
  /** the entries to store, GUID-pinned where the GUID could be resolved */
  readonly entries: readonly string[];
  /** entries (as written) whose DN the resolver did not know: still DN-keyed, not rename-safe */
  readonly unresolved: readonly string[];
}

/**
 * Pins GUIDs into DN-only includedContainers / includedGroups entries when a configuration is saved. The
 * resolver is the engine's (a directory lookup done beforehand); entries already pinned are kept as written.
 */
export function pinScopeEntries(
  entries: readonly string[] | null | undefined,
  resolveGuid: (dn: string) => string | Uint8Array | undefined,
): PinnedScopeEntries {
  const pinned: string[] = [];
  const unresolved: string[] = [];
  for (const entry of entries ?? []) {
    const reference = parseScopeReference(entry);
    if (reference.guid !== undefined || reference.dn === undefined) {
      pinned.push(entry);
      continue;
    }
    const resolved = resolveGuid(reference.dn);
    const guid = resolved === undefined ? undefined : normalizeGuid(resolved);
    if (guid === undefined) {
      unresolved.push(entry);
      pinned.push(entry);
    } else {
      pinned.push(formatScopeReference(guid, reference.dn));
    }
  }
  return { entries: pinned, unresolved };
}
