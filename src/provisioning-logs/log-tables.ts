/**
 * The tables of migration 0004 as Kysely sees them. `data` holds the whole entry as JSON; the other columns are
 * copies of what `$filter`, paging and retention read. Times are ISO 8601 UTC with milliseconds
 * (`2026-11-24T02:00:00.000Z`), so text order is time order on both backends.
 */
export interface ProvisioningLogsTable {
  tenant_id: string;
  id: string;
  activity_date_time: string;
  job_id: string;
  /** The job's service principal when the entry was written (kept when the job is deleted later). */
  service_principal_id: string | null;
  cycle_id: string;
  /** Engine vocabulary (PROVISIONING_ACTIONS): Create, Update, … */
  action: string;
  /** Engine vocabulary (PROVISIONING_STATUSES): Success, Failure, … */
  status: string;
  source_id: string;
  target_id: string | null;
  error_code: string | null;
  /** StoredProvisioningEntry JSON. */
  data: string;
}

export interface DirectoryAuditsTable {
  tenant_id: string;
  id: string;
  activity_date_time: string;
  activity_display_name: string;
  operation_type: string;
  result: string;
  initiated_by_app_id: string;
  /** The first target resource's id (the job or service principal changed). */
  target_id: string | null;
  /** DirectoryAudit JSON (Graph shape). */
  data: string;
}

export interface LogDatabase {
  provisioning_logs: ProvisioningLogsTable;
  directory_audits: DirectoryAuditsTable;
}
