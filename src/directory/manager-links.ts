/**
 * The links of one setManagers call applied in order to the part of the managers relation they can meet, in
 * memory: the directory loads that part in a few queries (sql-cloud-directory.ts) and writes back what changed, so
 * N links cost one transaction instead of N.
 *
 * Graph: "manager — the user or contact that is this user's manager"; a user has at most one, so the relation is a
 * function user → manager and walking upward from an object is walking a chain.
 *
 * Why the loaded part is enough (the invariant the cycle check rests on): `managerOf` holds every row whose user is
 * named by a link or sits above one named in the database. A walk starts at a link's manager, which is named; it
 * follows either a database row of a loaded user (which leads to a user above a named one, so loaded too) or a
 * row an earlier link of this call wrote (which leads to a named manager). So every step of every walk is in the
 * map, and each link sees exactly the state the links before it left — the result equals sequential calls.
 */
import { CloudsyncError } from '../errors/index.ts';
import type { ManagerLink, ManagerLinkResult, WriteActor } from './cloud-directory.ts';
import { mastered } from './object-input.ts';

/** A live object a link names. */
export interface LinkedObject {
  readonly id: string;
  readonly type: string;
  readonly syncEnabled: boolean;
}

export interface ManagerGraph {
  /** live objects named by the links, by id */
  readonly byId: ReadonlyMap<string, LinkedObject>;
  /** live users named by userPrincipalName, by its lower-case form */
  readonly usersByUpn: ReadonlyMap<string, LinkedObject>;
  /** user id → manager id, as stored, for the users named and every user above them (changed in place) */
  readonly managerOf: Map<string, string>;
}

export interface AppliedManagerLinks {
  readonly results: ManagerLinkResult[];
  /** one entry per link that changed something, in link order: the user whose manager changed */
  readonly updatedUsers: string[];
  /** each changed user's manager after the last link (null: none) */
  readonly finalManagers: Map<string, string | null>;
}

const refused = (error: CloudsyncError): ManagerLinkResult => ({ ok: false, error });
const DONE: ManagerLinkResult = Object.freeze({ ok: true });

/** Whether walking upward from `start` meets `target` (a link target → start would close a chain). */
function reaches(managerOf: ReadonlyMap<string, string>, start: string, target: string): boolean {
  // A chain is at most as long as the map; the bound stops a walk round a cycle the database should never hold.
  let id: string | undefined = start;
  for (let steps = 0; id !== undefined && steps <= managerOf.size; steps++) {
    if (id === target) return true;
    id = managerOf.get(id);
  }
  return false;
}

/** setManager's checks and effect for each link in turn; refused links change nothing. */
export function applyManagerLinks(graph: ManagerGraph, links: readonly ManagerLink[], actor: WriteActor): AppliedManagerLinks {
  const { byId, usersByUpn, managerOf } = graph;
  const results: ManagerLinkResult[] = [];
  const updatedUsers: string[] = [];
  const finalManagers = new Map<string, string | null>();
  for (const { userId, managerId } of links) {
    const named = userId.includes('@') ? usersByUpn.get(userId.toLowerCase()) : byId.get(userId);
    if (named === undefined || named.type !== 'user') {
      results.push(refused(new CloudsyncError('ERR_DIR_NOT_FOUND', `user '${userId}' does not exist`, { details: { id: userId } })));
      continue;
    }
    const user = named.id;
    if (actor === 'api' && named.syncEnabled) {
      results.push(refused(mastered('user', user, 'manager')));
      continue;
    }
    const current = managerOf.get(user);
    if (managerId === null) {
      if (current === undefined) {
        results.push(refused(new CloudsyncError('ERR_DIR_NOT_FOUND', `user ${user} has no manager`, { details: { userId: user } })));
        continue;
      }
      managerOf.delete(user);
      finalManagers.set(user, null);
      updatedUsers.push(user);
      results.push(DONE);
      continue;
    }
    const manager = byId.get(managerId);
    if (manager === undefined) {
      results.push(refused(new CloudsyncError('ERR_DIR_NOT_FOUND', `directory object '${managerId}' does not exist`, { details: { id: managerId } })));
      continue;
    }
    if (manager.type !== 'user' && manager.type !== 'orgContact') {
      results.push(refused(new CloudsyncError('ERR_DIR_INVALID_VALUE', `${manager.type} ${manager.id} cannot be a manager (managers are users and contacts)`, {
        path: 'manager', details: { managerId: manager.id },
      })));
      continue;
    }
    if (current === manager.id) {
      results.push(DONE);
      continue;
    }
    // A chain of managers that comes back to the user would make directReports and org charts loop.
    if (reaches(managerOf, manager.id, user)) {
      results.push(refused(new CloudsyncError('ERR_DIR_MANAGER_CYCLE', `${manager.type} ${manager.id} reports to user ${user}, so it cannot be that user's manager`, {
        path: 'manager', details: { userId: user, managerId: manager.id },
      })));
      continue;
    }
    managerOf.set(user, manager.id);
    finalManagers.set(user, manager.id);
    updatedUsers.push(user);
    results.push(DONE);
  }
  return { results, updatedUsers, finalManagers };
}
