/**
 * `members@delta` of a group in a delta round, from the round's membership changes in sequence order.
 */
import { ODATA_TYPES, type ObjectType } from './object-types.ts';

export const MEMBERSHIP_CHANGE_KINDS = ['memberAdded', 'memberRemoved'] as const;

export interface MemberDeltaEntry {
  readonly id: string;
  readonly '@odata.type': string;
  readonly '@removed'?: { readonly reason: 'deleted' };
}

/**
 * The net member changes of a delta round: a member added and removed again (or removed and re-added) within the
 * round is no change at all, since the client's state before the round already matches.
 */
export function netMemberChanges(
  changes: readonly { kind: string; member: { id: string; type: string } }[],
): MemberDeltaEntry[] {
  const first = new Map<string, string>();
  const last = new Map<string, { kind: string; type: string }>();
  for (const change of changes) {
    if (!first.has(change.member.id)) first.set(change.member.id, change.kind);
    last.set(change.member.id, { kind: change.kind, type: change.member.type });
  }
  const result: MemberDeltaEntry[] = [];
  for (const [id, { kind, type }] of last) {
    if (first.get(id) !== kind) continue; // added then removed, or removed then added: back where it started
    const odataType = ODATA_TYPES[type as ObjectType] ?? `#microsoft.graph.${type}`;
    result.push(kind === 'memberAdded' ? { id, '@odata.type': odataType } : { id, '@odata.type': odataType, '@removed': { reason: 'deleted' } });
  }
  return result;
}
