/**
 * POST /servicePrincipals/{id}/synchronization/jobs/{jobId}/provisionOnDemand — Graph's synchronizationJob:
 * provisionOnDemand. "Select a user and provision the account on-demand. The rate limit for this API is 5 requests
 * per 10 seconds." Request body (Graph): {"parameters":[{"ruleId":"…","subjects":[{"objectId":"CN=…",
 * "objectTypeName":"user"}]}]}; a group subject may name up to 5 members in `links.members`. "If successful, this
 * method returns a 200 OK response code and a stringKeyStringValuePair": `key` is {"result","details"} as JSON
 * text, `value` the provisioning result (provisioningSteps, modifiedProperties, action, changeId, statusInfo,
 * sourceIdentity, targetIdentity, …) as JSON text — here with our details added (scope trace and the scheduled-run
 * verdict, match candidates, member links, planned writes of a dry run).
 *
 * Ours: the query option `dryRun=true` computes all of it and writes nothing. A query option rather than a body
 * property, so the body stays exactly Graph's and a script's request can be tried dry and then for real unchanged.
 *
 * One parameter with one subject per call, as Entra's portal and examples use it.
 */
import type { FastifyInstance } from 'fastify';
import { ON_DEMAND_MAX_MEMBERS, type OnDemandRequest, type OnDemandResult, type OnDemandSubject } from '../../engine/on-demand-provisioning.ts';
import { CloudsyncError } from '../../errors/index.ts';
import type { OnDemandProvisioner } from '../../synchronization/on-demand-provisioner.ts';
import { principalOf } from '../auth/authenticate.ts';
import { baseUrlOf } from '../base-url.ts';
import { requireObjectBody } from '../json-body.ts';
import { OnDemandRateLimit } from './on-demand-rate-limit.ts';

export interface ProvisionOnDemandOptions {
  readonly provisioner: OnDemandProvisioner;
  /** calls per job per window (DEFAULTS.onDemandRateLimit) */
  readonly rateLimit: number;
  /** seconds (DEFAULTS.onDemandRateWindow) */
  readonly rateWindowSeconds: number;
}

function bad(message: string, path: string): CloudsyncError {
  return new CloudsyncError('ERR_SYNC_ON_DEMAND_INVALID', message, { path });
}

function objectAt(value: unknown, path: string, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad(`${path}: must be ${what}`, path);
  return value as Record<string, unknown>;
}

function onlyKeys(body: Record<string, unknown>, allowed: readonly string[], path: string, what: string): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key) && !key.startsWith('@odata.')) throw bad(`${path}${path === '' ? '' : '.'}${key}: not a property of ${what}; allowed: ${allowed.join(', ')}`, `${path}${path === '' ? '' : '.'}${key}`);
  }
}

function subjectAt(value: unknown, path: string): OnDemandSubject & { readonly links?: unknown } {
  const subject = objectAt(value, path, 'a synchronizationJobSubject such as {"objectId":"CN=…","objectTypeName":"user"}');
  onlyKeys(subject, ['objectId', 'objectTypeName', 'links'], path, 'synchronizationJobSubject');
  for (const key of ['objectId', 'objectTypeName'] as const) {
    if (typeof subject[key] !== 'string' || subject[key] === '') throw bad(`${path}.${key}: required, a non-empty string`, `${path}.${key}`);
  }
  return { objectId: subject['objectId'] as string, objectTypeName: subject['objectTypeName'] as string, path, links: subject['links'] };
}

/** Graph's body → the engine's request; every problem names its JSON path. */
export function parseProvisionOnDemandBody(body: unknown, dryRun: boolean): OnDemandRequest {
  const root = requireObjectBody(body);
  onlyKeys(root, ['parameters'], '', 'the provisionOnDemand action');
  const parameters = root['parameters'];
  if (!Array.isArray(parameters) || parameters.length !== 1) {
    throw bad('parameters: must be an array with exactly one synchronizationJobApplicationParameters {"ruleId","subjects":[…]}', 'parameters');
  }
  const parameter = objectAt(parameters[0], 'parameters[0]', 'a synchronizationJobApplicationParameters object');
  onlyKeys(parameter, ['ruleId', 'subjects'], 'parameters[0]', 'synchronizationJobApplicationParameters');
  const ruleId = parameter['ruleId'];
  if (ruleId !== undefined && ruleId !== null && typeof ruleId !== 'string') throw bad('parameters[0].ruleId: must be a string (the id of one of the schema\'s synchronizationRules)', 'parameters[0].ruleId');
  const subjects = parameter['subjects'];
  if (!Array.isArray(subjects) || subjects.length !== 1) {
    throw bad('parameters[0].subjects: must be an array with exactly one subject (for a group, name its members in links.members)', 'parameters[0].subjects');
  }
  const { links, ...subject } = subjectAt(subjects[0], 'parameters[0].subjects[0]');
  let members: OnDemandSubject[] | undefined;
  if (links !== undefined && links !== null) {
    const linksPath = 'parameters[0].subjects[0].links';
    const object = objectAt(links, linksPath, 'an object such as {"members":[{"objectId":"CN=…","objectTypeName":"user"}]}');
    onlyKeys(object, ['members'], linksPath, 'synchronizationLinkedObjects');
    const list = object['members'];
    if (list !== undefined && list !== null && !Array.isArray(list)) throw bad(`${linksPath}.members: must be an array of at most ${ON_DEMAND_MAX_MEMBERS} subjects`, `${linksPath}.members`);
    members = (list ?? []).map((m: unknown, i: number) => {
      const { links: nested, ...member } = subjectAt(m, `${linksPath}.members[${i}]`);
      if (nested !== undefined && nested !== null) throw bad(`${linksPath}.members[${i}].links: members cannot name members of their own`, `${linksPath}.members[${i}].links`);
      return member;
    });
  }
  return {
    dryRun,
    ...(typeof ruleId === 'string' && ruleId !== '' ? { ruleId } : {}),
    subject: { ...subject, ...(members === undefined ? {} : { members }) },
  };
}

function parseDryRun(query: unknown): boolean {
  let dryRun = false;
  for (const [name, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (name !== 'dryRun') throw new CloudsyncError('ERR_ODATA_UNSUPPORTED', `The query option '${name}' is not supported on provisionOnDemand; the only one is dryRun=true.`, { path: name });
    if (value !== 'true' && value !== 'false') throw bad(`dryRun: must be true or false, not '${String(value)}'`, 'dryRun');
    dryRun = value === 'true';
  }
  return dryRun;
}

/** Graph's `key`: {"result":"Success","details":{}}; a skip or failure names its code, as Graph's examples do. */
function keyOf(result: OnDemandResult): string {
  const failure = [result, ...(result.members ?? [])].find((r) => r.statusInfo.status === 'Failure');
  const details = failure !== undefined
    ? { errorCode: failure.statusInfo.errorCode, errorMessage: failure.statusInfo.reason }
    : result.outcome === 'unchanged'
      ? { errorCode: 'RedundantExport', errorMessage: `The state of the ${result.sourceIdentity.type} in both the source and target systems already match.` }
      : result.outcome === 'skip'
        ? { errorCode: 'NotInScope', errorMessage: result.scope.statement }
        : {};
  return JSON.stringify({ result: failure !== undefined ? 'Failure' : result.statusInfo.status, details });
}

export function provisionOnDemandRoute(app: FastifyInstance, options: ProvisionOnDemandOptions, clock: () => Date, publicUrl: string | undefined): void {
  const limiter = new OnDemandRateLimit({ limit: options.rateLimit, windowSeconds: options.rateWindowSeconds, clock });
  app.post<{ Params: { id: string; jobId: string } }>(
    '/servicePrincipals/:id/synchronization/jobs/:jobId/provisionOnDemand',
    { config: { access: 'synchronization' as const } },
    async function provisionOnDemand(request, reply) {
      const tenantId = principalOf(request).tenantId;
      const decision = limiter.take(`${tenantId}/${request.params.jobId}`);
      if (!decision.allowed) {
        void reply.header('retry-after', String(decision.retryAfterSeconds));
        throw new CloudsyncError('ERR_SYNC_ON_DEMAND_RATE_LIMITED',
          `Too many provisionOnDemand requests for job ${request.params.jobId}: at most ${options.rateLimit} per ${options.rateWindowSeconds} s. Retry after ${decision.retryAfterSeconds} s.`,
          { details: { retryAfterSeconds: decision.retryAfterSeconds } });
      }
      const onDemand = parseProvisionOnDemandBody(request.body, parseDryRun(request.query));
      const result = await options.provisioner.provision(tenantId, request.params.id, request.params.jobId, onDemand);
      return {
        '@odata.context': `${baseUrlOf(request, publicUrl)}/v1.0/$metadata#microsoft.graph.stringKeyStringValuePair`,
        key: keyOf(result),
        value: JSON.stringify({ ...result, sourceSystem: { name: 'Active Directory' }, targetSystem: { name: 'cloudsync' } }),
      };
    },
  );
}
