/**
 * The directory audit log on the store (migration 0004): append-only, per tenant, newest first. Behind
 * `GET /v1.0/auditLogs/directoryAudits`; written by the synchronization API's audit hooks.
 */
import type { Kysely } from 'kysely';
import { AUDIT_ACTIVITIES, AUDIT_OPERATION_TYPES, AUDIT_RESULTS, type DirectoryAudit } from './directory-audit.ts';
import { LogTable, type LogPage, type LogQuery } from './log-page.ts';
import type { FilterableProperty } from './log-filter.ts';
import type { LogDatabase } from './log-tables.ts';
import type { LogStore } from './sql-provisioning-log.ts';

const identity = (values: readonly string[]) => Object.fromEntries(values.map((value) => [value, value]));

/** `$filter` properties of GET /auditLogs/directoryAudits. */
export const DIRECTORY_AUDIT_FILTERS: readonly FilterableProperty[] = Object.freeze([
  { name: 'activityDateTime', column: 'activity_date_time', kind: 'dateTime' },
  { name: 'activityDisplayName', column: 'activity_display_name', kind: 'enum', values: identity(AUDIT_ACTIVITIES) },
  { name: 'operationType', column: 'operation_type', kind: 'enum', values: identity(AUDIT_OPERATION_TYPES) },
  { name: 'result', column: 'result', kind: 'enum', values: identity(AUDIT_RESULTS) },
  { name: 'initiatedBy/app/appId', column: 'initiated_by_app_id', kind: 'text' },
  { name: 'id', column: 'id', kind: 'text' },
] satisfies FilterableProperty[]);

export interface DirectoryAuditLog {
  record(tenantId: string, audit: DirectoryAudit): Promise<void>;
  list(tenantId: string, query: LogQuery): Promise<LogPage<DirectoryAudit>>;
  get(tenantId: string, id: string): Promise<DirectoryAudit | undefined>;
}

export class SqlDirectoryAuditLog extends LogTable<DirectoryAudit> implements DirectoryAuditLog {
  constructor(store: LogStore) {
    super(store.db as Kysely<LogDatabase>, 'directory_audits', DIRECTORY_AUDIT_FILTERS);
  }

  async record(tenantId: string, audit: DirectoryAudit): Promise<void> {
    await this.db
      .insertInto('directory_audits')
      .values({
        tenant_id: tenantId,
        id: audit.id,
        activity_date_time: new Date(audit.activityDateTime).toISOString(),
        activity_display_name: audit.activityDisplayName,
        operation_type: audit.operationType,
        result: audit.result,
        initiated_by_app_id: audit.initiatedBy.app.appId,
        target_id: audit.targetResources[0]?.id ?? null,
        data: JSON.stringify(audit),
      })
      .execute();
  }
}
