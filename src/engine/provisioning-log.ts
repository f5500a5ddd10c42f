/**
 * The provisioning-log port: one entry per object per action, shaped like Graph's provisioningObjectSummary
 * (action, status, steps, modifiedProperties, source and target identities, error code). Entries are values the
 * engine produces; the sink only stores them. Redacted mappings show REDACTED ("[Redact]") on both sides of a
 * modified property.
 */
/** StagedDelete: a deletion held back by the accidental-delete threshold (Entra logs these as StagedDelete). */
export const PROVISIONING_ACTIONS = ['Create', 'Update', 'Delete', 'Disable', 'StagedDelete', 'Other'] as const;
export type ProvisioningAction = (typeof PROVISIONING_ACTIONS)[number];

export const PROVISIONING_STATUSES = ['Success', 'Failure', 'Skipped', 'Warning'] as const;
export type ProvisioningStatus = (typeof PROVISIONING_STATUSES)[number];

/** Graph provisioningStepType */
export const PROVISIONING_STEP_TYPES = ['import', 'scoping', 'matching', 'processing', 'referenceResolution', 'export'] as const;
export type ProvisioningStepType = (typeof PROVISIONING_STEP_TYPES)[number];

export interface ProvisioningStep {
  readonly name: ProvisioningStepType;
  readonly status: ProvisioningStatus;
  readonly description: string;
}

export interface ModifiedProperty {
  readonly displayName: string;
  readonly oldValue: string | null;
  readonly newValue: string | null;
}

export interface ProvisioningLogEntry {
  readonly id: string;
  readonly cycleId: string;
  readonly configurationId: string;
  readonly activityDateTime: string;
  readonly action: ProvisioningAction;
  readonly status: ProvisioningStatus;
  readonly steps: readonly ProvisioningStep[];
  readonly modifiedProperties: readonly ModifiedProperty[];
  readonly sourceIdentity: { readonly id: string; readonly type: string; readonly displayName: string | null; readonly dn: string };
  readonly targetIdentity: { readonly id: string | null; readonly type: string | null };
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
}

export interface ProvisioningLogSink {
  write(entries: readonly ProvisioningLogEntry[]): Promise<void>;
}

/** A sink that keeps entries in an array (tests, on-demand provisioning). */
export class MemoryProvisioningLog implements ProvisioningLogSink {
  readonly entries: ProvisioningLogEntry[] = [];

  async write(entries: readonly ProvisioningLogEntry[]): Promise<void> {
    this.entries.push(...entries);
  }

  clear(): void {
    this.entries.length = 0;
  }
}
