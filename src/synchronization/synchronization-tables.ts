/**
 * The tables of migration 0003 as Kysely sees them. JSON columns hold Graph JSON text; booleans are 0/1 integers
 * on both backends, as in the directory's tables.
 */
import type { DirectoryDatabase } from '../directory/directory-store.ts';

export interface SyncServicePrincipalsTable {
  tenant_id: string;
  id: string;
  /** The application object instantiate created (the directory's `applications`). */
  application_id: string;
  app_id: string;
  display_name: string;
  /** Lower-cased AD domain from the Domain secret; unique per tenant (one configuration per domain). */
  domain_key: string | null;
  password_hash_sync: number;
  /** AES-256-GCM sealed JSON of every secret (synchronization-secrets.ts); never served. */
  secrets_sealed: string | null;
  created_at: string;
  /** The servicePrincipal's Graph JSON. */
  data: string;
}

export interface SyncJobsTable {
  tenant_id: string;
  id: string;
  service_principal_id: string;
  template_id: string;
  schedule_state: string;
  interval_seconds: number;
  /** synchronizationSchedule JSON. */
  schedule: string;
  /** synchronizationStatus JSON. */
  status: string;
  /** synchronizationSchema Graph JSON. */
  schema_json: string;
  /** PendingRequests JSON. */
  requests: string;
  /** Bumped by every write; writers update only the version they read (optimistic concurrency). */
  version: number;
  created_at: string;
  updated_at: string;
}

export interface SynchronizationDatabase extends DirectoryDatabase {
  sync_service_principals: SyncServicePrincipalsTable;
  sync_jobs: SyncJobsTable;
}
