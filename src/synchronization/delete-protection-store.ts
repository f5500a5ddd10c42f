/**
 * The deletions a job's accidental-delete threshold holds back, and the ones an admin approved, in the store
 * (table sync_pending_deletes, migration 0006) on SQLite and PostgreSQL alike.
 *
 * Invariants:
 * - One row per job; written by the scheduler after each cycle that tripped the threshold (the engine's complete
 *   list), removed after a cycle that held nothing back. So the list is always the one of the job's last cycle.
 * - Approvals name objects of the current list only (by DN, as the admin saw it, or by anchor); a later list keeps
 *   the approvals of the objects still on it. The engine is given anchors, which survive an AD rename.
 * - Every call is confined to the tenant passed in; callers check the job exists in that tenant first.
 */
import type { Kysely } from 'kysely';
import type { PendingDeletion } from '../engine/index.ts';
import { CloudsyncError } from '../errors/index.ts';
import { canonicalDn } from '../schema/index.ts';
import type { Store } from '../storage/index.ts';

interface SyncPendingDeletesTable {
  tenant_id: string;
  job_id: string;
  threshold: number;
  /** when this list of held deletions was first seen */
  detected_at: string;
  /** PendingDeletion[] JSON */
  deletions: string;
  /** approved anchors JSON */
  approved: string;
  updated_at: string;
}

interface DeleteProtectionDatabase {
  sync_pending_deletes: SyncPendingDeletesTable;
}

export interface HeldDeletions {
  readonly threshold: number;
  readonly detectedDateTime: string;
  readonly deletions: readonly PendingDeletion[];
  /** anchors */
  readonly approved: ReadonlySet<string>;
}

export interface DeleteProtectionStore {
  read(tenantId: string, jobId: string): Promise<HeldDeletions | undefined>;
  /** Records the list of a cycle that tripped the threshold. */
  hold(tenantId: string, jobId: string, threshold: number, deletions: readonly PendingDeletion[], now: Date): Promise<void>;
  /**
   * Approves these held deletions, each named by DN (case and spacing as in RFC 4514 comparisons) or anchor.
   * Unknown names are ERR_SYNC_CONFIG_INVALID naming `objectIds[i]`; nothing is approved then.
   */
  approve(tenantId: string, jobId: string, objectIds: unknown, now: Date): Promise<readonly PendingDeletion[]>;
  clear(tenantId: string, jobId: string): Promise<void>;
}

export function createDeleteProtectionStore(store: Store): DeleteProtectionStore {
  const db = store.db as unknown as Kysely<DeleteProtectionDatabase>;
  const row = (tenantId: string, jobId: string) =>
    db.selectFrom('sync_pending_deletes').selectAll().where('tenant_id', '=', tenantId).where('job_id', '=', jobId).executeTakeFirst();

  const protection: DeleteProtectionStore = {
    async read(tenantId, jobId) {
      const found = await row(tenantId, jobId);
      if (found === undefined) return undefined;
      return {
        threshold: found.threshold,
        detectedDateTime: found.detected_at,
        deletions: JSON.parse(found.deletions) as PendingDeletion[],
        approved: new Set(JSON.parse(found.approved) as string[]),
      };
    },

    async hold(tenantId, jobId, threshold, deletions, now) {
      await db.transaction().execute(async (tx) => {
        const previous = await tx.selectFrom('sync_pending_deletes').selectAll().where('tenant_id', '=', tenantId).where('job_id', '=', jobId).executeTakeFirst();
        const anchors = new Set(deletions.map((deletion) => deletion.anchor));
        const approved = previous === undefined ? [] : (JSON.parse(previous.approved) as string[]).filter((anchor) => anchors.has(anchor));
        const values = {
          threshold,
          detected_at: previous?.detected_at ?? now.toISOString(),
          deletions: JSON.stringify(deletions),
          approved: JSON.stringify(approved),
          updated_at: now.toISOString(),
        };
        if (previous === undefined) await tx.insertInto('sync_pending_deletes').values({ tenant_id: tenantId, job_id: jobId, ...values }).execute();
        else await tx.updateTable('sync_pending_deletes').set(values).where('tenant_id', '=', tenantId).where('job_id', '=', jobId).execute();
      });
    },

    async approve(tenantId, jobId, objectIds, now) {
      if (!Array.isArray(objectIds) || objectIds.length === 0) {
        throw new CloudsyncError('ERR_SYNC_CONFIG_INVALID', "'objectIds' must be a non-empty array of the distinguished names listed by GET …/pendingDeletes.", { path: 'objectIds' });
      }
      const held = await protection.read(tenantId, jobId);
      if (held === undefined || held.deletions.length === 0) {
        throw new CloudsyncError('ERR_SYNC_CONFIG_INVALID', 'The job holds no deletions back: there is nothing to approve.', { path: 'objectIds' });
      }
      const byDn = new Map(held.deletions.map((deletion) => [canonicalDn(deletion.dn), deletion]));
      const byAnchor = new Map(held.deletions.map((deletion) => [deletion.anchor, deletion]));
      const chosen = objectIds.map((id: unknown, index) => {
        const found = typeof id === 'string' ? (byDn.get(canonicalDn(id)) ?? byAnchor.get(id)) : undefined;
        if (found === undefined) {
          throw new CloudsyncError('ERR_SYNC_CONFIG_INVALID',
            `objectIds[${index}]: ${JSON.stringify(id)} is not one of the ${held.deletions.length} held deletions (GET …/pendingDeletes lists them).`, { path: `objectIds[${index}]` });
        }
        return found;
      });
      const approved = [...new Set([...held.approved, ...chosen.map((deletion) => deletion.anchor)])];
      await db.updateTable('sync_pending_deletes').set({ approved: JSON.stringify(approved), updated_at: now.toISOString() })
        .where('tenant_id', '=', tenantId).where('job_id', '=', jobId).execute();
      return chosen;
    },

    async clear(tenantId, jobId) {
      await db.deleteFrom('sync_pending_deletes').where('tenant_id', '=', tenantId).where('job_id', '=', jobId).execute();
    },
  };
  return protection;
}
