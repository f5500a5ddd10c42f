/**
 * Microsoft Graph's audit log collections for what this service records:
 *
 *   GET /auditLogs/provisioning          provisioningObjectSummary, newest first
 *   GET /auditLogs/provisioning/{id}
 *   GET /auditLogs/directoryAudits       directoryAudit (configuration changes), newest first
 *   GET /auditLogs/directoryAudits/{id}
 *
 * Query options: `$filter` (the properties each log declares, see src/provisioning-logs), `$top` (1…999,
 * default 100) and `$skiptoken` from `@odata.nextLink`. Graph's `$search`, `$orderby` and `$select` on these
 * collections are refused by name rather than ignored. Everything is confined to the token's tenant; the routes
 * need AuditLog.Read.All (auth/access-policy.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CloudsyncError } from '../../errors/index.ts';
import type { DirectoryAuditLog, LogQuery, ProvisioningLogReader } from '../../provisioning-logs/index.ts';
import { toProvisioningObjectSummary } from '../../provisioning-logs/index.ts';
import { principalOf } from '../auth/authenticate.ts';
import { baseUrlOf } from '../base-url.ts';
import { parseFilter } from '../odata/filter-parser.ts';
import { normalizeQuery, type RawQuery } from '../odata/query-options.ts';
import { parseTop } from '../odata/top.ts';
import { contextUrl, linkWithToken } from '../graph/odata-response.ts';

/** The logs the API reads; the composition root builds them on the store. */
export interface AuditLogs {
  readonly provisioning: ProvisioningLogReader;
  readonly directoryAudits: DirectoryAuditLog;
}

export interface AuditLogRouteOptions {
  readonly logs: AuditLogs;
  readonly publicUrl: string | undefined;
}

const ACCEPTED = ['$filter', '$top', '$skiptoken'] as const;

function logQuery(raw: RawQuery): LogQuery {
  const options = normalizeQuery(raw);
  for (const name of options.keys()) {
    if (name.startsWith('$') && !(ACCEPTED as readonly string[]).includes(name)) {
      throw new CloudsyncError('ERR_ODATA_UNSUPPORTED', `The query option '${name}' is not supported on the audit logs; supported: ${ACCEPTED.join(', ')}.`, { path: name });
    }
  }
  const filter = options.get('$filter');
  const skipToken = options.get('$skiptoken');
  return {
    top: parseTop(options.get('$top')),
    ...(filter === undefined ? {} : { filter: parseFilter(filter) }),
    ...(skipToken === undefined || skipToken === '' ? {} : { skipToken }),
  };
}

function notFound(id: string): CloudsyncError {
  return new CloudsyncError('ERR_DIR_NOT_FOUND', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, { details: { id } });
}

export async function auditLogRoutes(app: FastifyInstance, options: AuditLogRouteOptions): Promise<void> {
  const access = { config: { access: 'auditLog' as const } };
  const base = (request: FastifyRequest) => baseUrlOf(request, options.publicUrl);
  const tenant = (request: FastifyRequest) => principalOf(request).tenantId;

  const collection = (request: FastifyRequest, fragment: string, page: { items: readonly unknown[]; nextSkipToken?: string }) => ({
    '@odata.context': contextUrl(base(request), fragment),
    value: page.items,
    ...(page.nextSkipToken === undefined ? {} : { '@odata.nextLink': linkWithToken(base(request), request, '$skiptoken', page.nextSkipToken) }),
  });

  app.get('/auditLogs/provisioning', access, async function listProvisioningLogs(request) {
    const page = await options.logs.provisioning.list(tenant(request), logQuery(request.query as RawQuery));
    return collection(request, 'auditLogs/provisioning', { ...page, items: page.items.map(toProvisioningObjectSummary) });
  });

  app.get<{ Params: { id: string } }>('/auditLogs/provisioning/:id', access, async function getProvisioningLog(request) {
    const entry = await options.logs.provisioning.get(tenant(request), request.params.id);
    if (entry === undefined) throw notFound(request.params.id);
    return { '@odata.context': contextUrl(base(request), 'auditLogs/provisioning/$entity'), ...toProvisioningObjectSummary(entry) };
  });

  app.get('/auditLogs/directoryAudits', access, async function listDirectoryAudits(request) {
    const page = await options.logs.directoryAudits.list(tenant(request), logQuery(request.query as RawQuery));
    return collection(request, 'auditLogs/directoryAudits', page);
  });

  app.get<{ Params: { id: string } }>('/auditLogs/directoryAudits/:id', access, async function getDirectoryAudit(request) {
    const audit = await options.logs.directoryAudits.get(tenant(request), request.params.id);
    if (audit === undefined) throw notFound(request.params.id);
    return { '@odata.context': contextUrl(base(request), 'auditLogs/directoryAudits/$entity'), ...audit };
  });
}
