/**
 * The tenant-level resources: `/organization`, `/domains`, `/directoryObjects/{id}`, and the directory
 * extensions registered on applications (`/applications/{id}/extensionProperties`,
 * `POST /directoryObjects/getAvailableExtensionProperties`).
 *
 *   GET   /organization                     collection with the tenant's one organization
 *   GET   /organization/{id}    PATCH /organization/{id} → 204
 *   GET   /domains   POST /domains   GET /domains/{name}   DELETE /domains/{name}   POST /domains/{name}/verify
 *   GET   /domains/{name}/verificationDnsRecords
 *
 * A domain becomes verified through this API only with proof (domain-proof.ts): the TXT record the tenant was given
 * must be published in the domain's DNS. `isVerified: true` on POST is refused; operators verify without proof on
 * the store (`cloudsync domain verify`).
 *   GET   /applications/{id}/extensionProperties   POST → 201   DELETE …/extensionProperties/{id} → 204
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { CloudsyncError } from '../../errors/index.ts';
import { EXTENSION_DATA_TYPES, type ExtensionDataType } from '../../directory/directory-object.ts';
import type { NewExtensionProperty } from '../../directory/cloud-directory.ts';
import { normalizeQuery, type RawQuery } from '../odata/query-options.ts';
import { requireObjectBody } from '../json-body.ts';
import { contextUrl, entityResponse } from './odata-response.ts';
import { baseOf, tenantOf, type GraphRouteOptions } from './graph-route-options.ts';
import { objectPropertiesOf } from './request-body.ts';
import { domainDnsTxtRecord, type DomainProof, type DomainProofRecord } from './domain-proof.ts';

/** These small collections are never paged; any OData option on them is refused rather than ignored. */
function refuseOptions(raw: RawQuery): void {
  for (const name of normalizeQuery(raw).keys()) {
    if (name.startsWith('$')) throw new CloudsyncError('ERR_ODATA_UNSUPPORTED', `The query option '${name}' is not supported on this resource.`, { path: name });
  }
}

function field<T>(body: Record<string, unknown>, name: string, check: (value: unknown) => value is T, expected: string): T | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (!check(value)) throw new CloudsyncError('ERR_DIR_INVALID_VALUE', `'${name}' must be ${expected}.`, { path: name });
  return value;
}
const isString = (value: unknown): value is string => typeof value === 'string';
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const isDataType = (value: unknown): value is ExtensionDataType => typeof value === 'string' && (EXTENSION_DATA_TYPES as readonly string[]).includes(value);

function newExtensionProperty(body: unknown): NewExtensionProperty {
  const object = requireObjectBody(body);
  const allowed = new Set(['name', 'dataType', 'targetObjects', 'isMultiValued', 'isSyncedFromOnPremises', '@odata.type']);
  for (const key of Object.keys(object)) {
    if (!allowed.has(key)) throw new CloudsyncError('ERR_DIR_INVALID_PROPERTY', `'${key}' is not a property of extensionProperty that can be set.`, { path: key });
  }
  const name = field(object, 'name', isString, 'a string');
  const dataType = field(object, 'dataType', isDataType, `one of ${EXTENSION_DATA_TYPES.join(', ')}`);
  const targetObjects = field(object, 'targetObjects', isStringArray, 'an array of strings');
  if (name === undefined || dataType === undefined || targetObjects === undefined) {
    throw new CloudsyncError('ERR_DIR_INVALID_VALUE', "An extensionProperty needs 'name', 'dataType' and 'targetObjects'.", { path: 'body' });
  }
  const isMultiValued = field(object, 'isMultiValued', isBoolean, 'true or false');
  const isSyncedFromOnPremises = field(object, 'isSyncedFromOnPremises', isBoolean, 'true or false');
  return {
    name,
    dataType,
    targetObjects,
    ...(isMultiValued === undefined ? {} : { isMultiValued }),
    ...(isSyncedFromOnPremises === undefined ? {} : { isSyncedFromOnPremises }),
  };
}

/** Graph gives each DNS record a GUID; ours is derived from the record, so it is stable without being stored. */
function recordId(record: DomainProofRecord): string {
  const hex = createHash('sha256').update(`${record.label}\0${record.text}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function requireProof(proof: DomainProof | undefined, name: string): DomainProof {
  if (proof !== undefined) return proof;
  // Refusing is the safe default for an embedding that did not say how to check ownership: trusting the claim
  // would hand any real domain to whichever tenant asks first.
  throw new CloudsyncError(
    'ERR_DIR_DOMAIN_UNPROVEN',
    `This service cannot check domain ownership (it was started without DNS verification), so ${name} cannot be verified through the API; an operator can verify it with: cloudsync domain verify --tenant-id <tenant> --name ${name}`,
    { path: 'id', details: { value: name } },
  );
}

export async function directoryRoutes(app: FastifyInstance, options: GraphRouteOptions): Promise<void> {
  const { directory } = options;
  const read = { config: { access: 'read' as const } };
  const write = { config: { access: 'write' as const } };

  app.get('/organization', read, async function listOrganization(request) {
    refuseOptions(request.query as RawQuery);
    const organization = await directory.getOrganization(tenantOf(request));
    const { '@odata.type': _type, ...rest } = organization;
    return { '@odata.context': contextUrl(baseOf(request, options), 'organization'), value: [rest] };
  });

  app.get<{ Params: { id: string } }>('/organization/:id', read, async function getOrganization(request) {
    refuseOptions(request.query as RawQuery);
    const tenantId = tenantOf(request);
    if (request.params.id !== tenantId) throw new CloudsyncError('ERR_DIR_NOT_FOUND', `Resource '${request.params.id}' does not exist or one of its queried reference-property objects are not present.`);
    const organization = await directory.getOrganization(tenantId);
    return entityResponse(organization, { base: baseOf(request, options), fragment: 'organization', select: undefined, keepType: false });
  });

  app.patch<{ Params: { id: string } }>('/organization/:id', write, async function updateOrganization(request, reply) {
    const tenantId = tenantOf(request);
    if (request.params.id !== tenantId) throw new CloudsyncError('ERR_DIR_NOT_FOUND', `Resource '${request.params.id}' does not exist or one of its queried reference-property objects are not present.`);
    await directory.updateOrganization(tenantId, objectPropertiesOf(request.body, 'microsoft.graph.organization'));
    return reply.code(204).send();
  });

  app.get('/domains', read, async function listDomains(request) {
    refuseOptions(request.query as RawQuery);
    const domains = await directory.listDomains(tenantOf(request));
    return { '@odata.context': contextUrl(baseOf(request, options), 'domains'), value: domains };
  });

  app.get<{ Params: { name: string } }>('/domains/:name', read, async function getDomain(request) {
    refuseOptions(request.query as RawQuery);
    const domain = await directory.getDomain(tenantOf(request), request.params.name);
    return { '@odata.context': contextUrl(baseOf(request, options), 'domains/$entity'), ...domain };
  });

  app.post('/domains', write, async function addDomain(request, reply) {
    const body = requireObjectBody(request.body);
    for (const key of Object.keys(body)) {
      if (key !== 'id' && key !== 'isVerified') throw new CloudsyncError('ERR_DIR_INVALID_PROPERTY', `'${key}' cannot be set when adding a domain; give 'id' (the domain name).`, { path: key });
    }
    const id = field(body, 'id', isString, 'the domain name as a string');
    if (id === undefined) throw new CloudsyncError('ERR_DIR_INVALID_VALUE', "A domain needs 'id', the domain name.", { path: 'id' });
    const isVerified = field(body, 'isVerified', isBoolean, 'true or false');
    if (isVerified === true) {
      throw new CloudsyncError(
        'ERR_DIR_DOMAIN_UNPROVEN',
        `A domain cannot be added as verified: add ${id} without 'isVerified', publish the TXT record that GET /v1.0/domains/${id}/verificationDnsRecords lists, then POST /v1.0/domains/${id}/verify.`,
        { path: 'isVerified', details: { value: id } },
      );
    }
    const domain = await directory.addDomain(tenantOf(request), { id });
    return reply.code(201).send({ '@odata.context': contextUrl(baseOf(request, options), 'domains/$entity'), ...domain });
  });

  app.get<{ Params: { name: string } }>('/domains/:name/verificationDnsRecords', read, async function listVerificationDnsRecords(request) {
    refuseOptions(request.query as RawQuery);
    const tenantId = tenantOf(request);
    const domain = await directory.getDomain(tenantId, request.params.name);
    const proof = requireProof(options.domainProof, domain.id);
    const record = proof.expectedRecord(tenantId, domain.id);
    return {
      '@odata.context': contextUrl(baseOf(request, options), `domains('${domain.id}')/verificationDnsRecords`),
      value: [domainDnsTxtRecord(recordId(record), record)],
    };
  });

  app.post<{ Params: { name: string } }>('/domains/:name/verify', write, async function verifyDomain(request) {
    const tenantId = tenantOf(request);
    const found = await directory.getDomain(tenantId, request.params.name);
    if (!found.isVerified) {
      const proof = requireProof(options.domainProof, found.id);
      // DNS before the directory's "verified by another tenant" check: only the domain's owner learns that.
      if (!(await proof.isPublished(tenantId, found.id))) {
        const record = proof.expectedRecord(tenantId, found.id);
        throw new CloudsyncError(
          'ERR_DIR_DOMAIN_UNPROVEN',
          `The TXT record "${record.text}" was not found at ${record.label}; publish it (GET /v1.0/domains/${found.id}/verificationDnsRecords lists it) and try again.`,
          { path: 'id', details: { value: found.id, label: record.label, text: record.text } },
        );
      }
    }
    const domain = await directory.verifyDomain(tenantId, found.id);
    return { '@odata.context': contextUrl(baseOf(request, options), 'domains/$entity'), ...domain };
  });

  app.delete<{ Params: { name: string } }>('/domains/:name', write, async function deleteDomain(request, reply) {
    await directory.deleteDomain(tenantOf(request), request.params.name);
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string } }>('/directoryObjects/:id', read, async function getDirectoryObject(request) {
    refuseOptions(request.query as RawQuery);
    const object = await directory.getAny(tenantOf(request), request.params.id);
    return entityResponse(object, { base: baseOf(request, options), fragment: 'directoryObjects', select: undefined, keepType: true });
  });

  app.get<{ Params: { id: string } }>('/applications/:id/extensionProperties', read, async function listExtensionProperties(request) {
    refuseOptions(request.query as RawQuery);
    const properties = await directory.listExtensionProperties(tenantOf(request), request.params.id);
    return {
      '@odata.context': contextUrl(baseOf(request, options), `applications('${request.params.id}')/extensionProperties`),
      value: properties.map(({ '@odata.type': _type, ...rest }) => rest),
    };
  });

  app.post<{ Params: { id: string } }>('/applications/:id/extensionProperties', write, async function createExtensionProperty(request, reply) {
    const created = await directory.createExtensionProperty(tenantOf(request), request.params.id, newExtensionProperty(request.body));
    const { '@odata.type': _type, ...rest } = created;
    return reply.code(201).send({
      '@odata.context': contextUrl(baseOf(request, options), `applications('${request.params.id}')/extensionProperties/$entity`),
      ...rest,
    });
  });

  app.delete<{ Params: { id: string; extensionId: string } }>(
    '/applications/:id/extensionProperties/:extensionId',
    write,
    async function deleteExtensionProperty(request, reply) {
      await directory.deleteExtensionProperty(tenantOf(request), request.params.id, request.params.extensionId);
      return reply.code(204).send();
    },
  );

  app.post('/directoryObjects/getAvailableExtensionProperties', read, async function availableExtensionProperties(request) {
    const properties = await directory.listAvailableExtensionProperties(tenantOf(request));
    return { '@odata.context': contextUrl(baseOf(request, options), 'Collection(microsoft.graph.extensionProperty)'), value: properties };
  });
}
