/**
 * A deletion the accidental-delete threshold held back: what would have been deleted from the cloud directory and
 * why. Entra's circuit breaker only says "Delete threshold exceeded" and leaves the admin to guess; the list with a
 * reason per object is what lets an admin tell a mistake (an OU dropped from scope) from a real clean-up.
 *
 * Entra (how-to-accidental-deletes): "each pending removal from the target (unassign/out of scope, soft or hard
 * delete)" counts, disables too, groups too; the threshold is evaluated per cycle.
 */
export const PENDING_DELETION_REASONS = ['deletedInSource', 'notInSource', 'containerOutOfScope', 'groupOutOfScope', 'leftScope', 'noObjectMapping'] as const;
export type PendingDeletionReason = (typeof PENDING_DELETION_REASONS)[number];

/** Plain-language reasons, shown in the API (reasonText), the CLI and the notification email. */
export const PENDING_DELETION_REASON_TEXT: Readonly<Record<PendingDeletionReason, string>> = Object.freeze({
  deletedInSource: 'deleted in the source directory (AD)',
  notInSource: 'no longer in the source directory (deleted, or moved out of the imported containers)',
  containerOutOfScope: 'its OU is not in scope any more (containerFilter)',
  groupOutOfScope: 'not a member of a scoped group any more (groupFilter)',
  leftScope: 'left the scope of its scoping filter',
  noObjectMapping: 'no enabled object mapping for its type any more',
});

export interface PendingDeletion {
  /** the connector-space anchor (objectGUID or ms-DS-ConsistencyGuid as the engine keys it) */
  readonly anchor: string;
  /** distinguished name in the source: what an admin recognises and names when approving */
  readonly dn: string;
  readonly sourceType: string;
  readonly targetType: string;
  /** the cloud object that would be deleted */
  readonly cloudId: string;
  readonly reason: PendingDeletionReason;
}
