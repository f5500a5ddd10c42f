/**
 * Taking a configuration's objects out of the cloud (`DELETE …/jobs/{id}?removeObjects=true`, `cloudsync config
 * delete --remove-objects`): every cloud object the job's connector space says this configuration created or
 * joined is soft-deleted, as if it had left the scope — users and groups go to deleted items (restorable for 30
 * days), contacts are removed, as the engine's own deletions do.
 *
 * Entra has no such step (deleting a Cloud Sync configuration leaves its objects behind, still marked as synced
 * and no longer writable by anyone — a documented complaint); here it is offered, never the default.
 *
 * Invariants:
 * - Only objects recorded in this configuration's connector space are touched: another configuration's objects
 *   and cloud-only objects never are, whatever their onPremisesSyncEnabled says.
 * - Written as the provisioning actor, which may delete on-premises-mastered objects.
 * - An object already gone (deleted by an admin or a previous, interrupted removal) counts as done, so a removal
 *   cut short can simply be asked for again.
 * - The connector space is read in anchor order by pages, never whole (a configuration may hold 200,000
 *   objects).
 */
import type { CloudDirectory, ObjectType } from '../directory/index.ts';
import type { ConnectorSpace } from '../engine/index.ts';
import { isCloudsyncError } from '../errors/index.ts';

const PAGE = 500;
const PROVISIONING = { actor: 'provisioning' } as const;
/** No entry is ever marked with it, so listUnseen lists every entry that is not deleted. */
const NEVER_SEEN = 'removal:never-seen';
const REMOVABLE: readonly ObjectType[] = ['user', 'group', 'orgContact'];

export interface RemovalReport {
  /** cloud objects deleted now */
  readonly removed: number;
  /** recorded objects that were already gone from the cloud */
  readonly alreadyGone: number;
}

export async function removeSynchronizedObjects(
  connectorSpace: Pick<ConnectorSpace, 'listUnseen'>,
  directory: Pick<CloudDirectory, 'delete' | 'deleteMany'>,
  tenantId: string,
): Promise<RemovalReport> {
  let removed = 0;
  let alreadyGone = 0;
  const deleteOne = async (type: ObjectType, id: string) => {
    try {
      await directory.delete(tenantId, type, id, PROVISIONING);
      removed++;
    } catch (error) {
      if (!isCloudsyncError(error) || error.code !== 'ERR_DIR_NOT_FOUND') throw error;
      alreadyGone++;
    }
  };
  let after: string | undefined;
  for (;;) {
    const page = await connectorSpace.listUnseen(NEVER_SEEN, after, PAGE);
    if (page.length === 0) break;
    after = page[page.length - 1]!.anchor;
    const byType = new Map<ObjectType, string[]>();
    for (const entry of page) {
      const type = entry.targetType as ObjectType | null;
      if (entry.state === 'container' || entry.cloudId === null || type === null || !REMOVABLE.includes(type)) continue;
      const ids = byType.get(type) ?? [];
      ids.push(entry.cloudId);
      byType.set(type, ids);
    }
    for (const [type, ids] of byType) {
      // One transaction per page and type. deleteMany is all or nothing: when an object of the page is already
      // gone (an interrupted removal asked for again), the page is deleted one by one so that it counts as done.
      try {
        await directory.deleteMany(tenantId, type, ids, PROVISIONING);
        removed += ids.length;
      } catch (error) {
        if (!isCloudsyncError(error) || error.code !== 'ERR_DIR_NOT_FOUND') throw error;
        for (const id of ids) await deleteOne(type, id);
      }
    }
  }
  return { removed, alreadyGone };
}
