/**
 * Which SourceObjectType a directory entry is, from its objectClass values.
 *
 * AD: a computer is also a `user` (computer derives from user) and is not synced; an AD inetOrgPerson also
 * carries `user` and is reported as `inetOrgPerson` (its most specific class), which Entra syncs like a user.
 * Generic LDAP: groupOfNames / groupOfUniqueNames are groups; inetOrgPerson is the person class.
 */
import type { SourceObjectType } from './source-connector.ts';

/** Classes whose entries are never synced even though they derive from a synced class. */
const EXCLUDED_CLASSES = ['computer', 'msds-managedserviceaccount', 'msds-groupmanagedserviceaccount', 'foreignsecurityprincipal'] as const;

/** Directories repeat a handful of objectClass combinations; classify each once. */
const cache = new Map<string, SourceObjectType | undefined>();

export function classifyObjectType(objectClasses: readonly string[]): SourceObjectType | undefined {
  const key = objectClasses.join('\u0000');
  if (cache.has(key)) return cache.get(key);
  const type = classify(objectClasses);
  if (cache.size < 1000) cache.set(key, type);
  return type;
}

function classify(objectClasses: readonly string[]): SourceObjectType | undefined {
  const classes = new Set(objectClasses.map((c) => c.toLowerCase()));
  if (EXCLUDED_CLASSES.some((c) => classes.has(c))) return undefined;
  if (classes.has('group') || classes.has('groupofnames') || classes.has('groupofuniquenames')) return 'group';
  if (classes.has('contact')) return 'contact';
  if (classes.has('inetorgperson')) return 'inetOrgPerson';
  if (classes.has('user')) return 'user';
  if (classes.has('organizationalunit')) return 'organizationalUnit';
  return undefined;
}

/** An LDAP filter matching exactly the entries classifyObjectType accepts, for AD. */
export const AD_OBJECT_FILTER =
  '(|(&(objectClass=user)(!(objectClass=computer)))(objectClass=group)(objectClass=contact)(objectClass=organizationalUnit))';

/** An LDAP filter matching the generic LDAP entries classifyObjectType accepts. */
export const GENERIC_OBJECT_FILTER =
  '(|(objectClass=inetOrgPerson)(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=organizationalUnit))';
