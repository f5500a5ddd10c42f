/**
 * CloudDirectory → TargetDirectory: binds a tenant, writes as the provisioning actor, and fits the engine's JSON
 * values to the directory's property kinds (a single string to a one-element collection, numbers to text,
 * extensionAttributeN into onPremisesExtensionAttributes).
 *
 * References: group `members` (addMember/removeMember) and user `manager` (setReference → setManager; a page's
 * links at once: setReferences → setManagers, one transaction).
 */
import type { CloudDirectory } from '../directory/index.ts';
import { propertyDefinition } from '../directory/property-catalog.ts';
import type { TargetDirectory, TargetObject, TargetType, TargetValue, TargetWriteResult, TenantDomains } from './target-directory.ts';

const PROVISIONING = { actor: 'provisioning' } as const;
const EXTENSION_ATTRIBUTE = /^extensionAttribute([1-9]|1[0-5])$/;

/** How fit treats a property: into onPremisesExtensionAttributes, as a collection, as one string, or as it is. */
type Fitting = 'extensionAttribute' | 'stringCollection' | 'string' | 'asIs';

/** Per target type, each property name's fitting: the pattern test and catalog lookup ran for every value. */
const FITTINGS = new Map<TargetType, Map<string, Fitting>>();

function fittingOf(type: TargetType, name: string): Fitting {
  let byName = FITTINGS.get(type);
  if (byName === undefined) FITTINGS.set(type, (byName = new Map()));
  let fitting = byName.get(name);
  if (fitting === undefined) {
    const kind = propertyDefinition(type, name)?.kind;
    fitting = EXTENSION_ATTRIBUTE.test(name) ? 'extensionAttribute' : kind === 'stringCollection' || kind === 'string' ? kind : 'asIs';
    // names come from mappings and the engine's stamp, a bounded set; the bound guards against misuse
    if (byName.size < 10_000) byName.set(name, fitting);
  }
  return fitting;
}

function fit(type: TargetType, properties: Readonly<Record<string, TargetValue>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let extensions: Record<string, string | null> | undefined;
  // for…in over the engine's plain objects (no inherited enumerables): Object.entries made a pair per value
  for (const name in properties) {
    const value = properties[name]!;
    const fitting = fittingOf(type, name);
    if (fitting === 'extensionAttribute') {
      extensions ??= {};
      extensions[name] = value === null ? null : Array.isArray(value) ? String(value[0] ?? '') : String(value);
    } else if (value === null) out[name] = fitting === 'stringCollection' ? [] : null;
    else if (fitting === 'stringCollection') out[name] = Array.isArray(value) ? value.map(String) : [String(value)];
    else if (fitting === 'string') out[name] = Array.isArray(value) ? String(value[0] ?? '') : typeof value === 'string' ? value : String(value);
    else out[name] = value;
  }
  if (extensions !== undefined) out['onPremisesExtensionAttributes'] = extensions;
  return out;
}

/** The live objects whose `property` is one of `values`: `in` filters of 200 values (a filter's size stays bounded). */
async function listIn(directory: CloudDirectory, tenantId: string, type: TargetType, property: string, values: readonly string[]): Promise<TargetObject[]> {
  const found: TargetObject[] = [];
  for (let i = 0; i < values.length; i += 200) {
    const chunk = values.slice(i, i + 200);
    let skipToken: string | undefined;
    do {
      const page = await directory.list(tenantId, type, {
        filter: { kind: 'in', property, values: chunk },
        top: 999,
        ...(skipToken === undefined ? {} : { skipToken }),
      });
      found.push(...(page.items as unknown as TargetObject[]));
      skipToken = page.nextSkipToken;
    } while (skipToken !== undefined);
  }
  return found;
}

/** The directory's only single-valued reference: user.manager. */
function assertManager(type: TargetType, attribute: string): void {
  if (type !== 'user' || attribute !== 'manager') throw new TypeError(`${type}.${attribute} is not a single-valued reference of the directory`);
}

export function cloudDirectoryTarget(directory: CloudDirectory, tenantId: string): TargetDirectory {
  return {
    async domains(): Promise<TenantDomains> {
      const domains = await directory.listDomains(tenantId);
      const initial = domains.find((d) => d.isInitial)?.id ?? domains[0]?.id ?? '';
      return { verified: domains.filter((d) => d.isVerified).map((d) => d.id.toLowerCase()), initial };
    },
    supportsAttribute(type, attribute) {
      if (EXTENSION_ATTRIBUTE.test(attribute)) return propertyDefinition(type, 'onPremisesExtensionAttributes') !== undefined;
      const definition = propertyDefinition(type, attribute);
      return definition !== undefined && (definition.access === 'readWrite' || definition.access === 'provisioning');
    },
    supportsReference(type, attribute) {
      return (type === 'group' && attribute === 'members') || (type === 'user' && attribute === 'manager');
    },
    async setReference(type, id, attribute, targetId) {
      assertManager(type, attribute);
      await directory.setManager(tenantId, id, targetId, PROVISIONING);
    },
    async setReferences(links) {
      for (const { type, attribute } of links) assertManager(type, attribute);
      return directory.setManagers(tenantId, links.map(({ id, targetId }) => ({ userId: id, managerId: targetId })), PROVISIONING);
    },
    async findBy(type, property, values) {
      if (values.length === 0) return [];
      if (type === 'user' && property === 'onPremisesImmutableId') return (await directory.findUsersByImmutableIds(tenantId, values)) as unknown as TargetObject[];
      return listIn(directory, tenantId, type, property, values);
    },
    async findByProxyAddress(type, address) {
      const page = await directory.list(tenantId, type, {
        filter: {
          kind: 'any',
          collection: 'proxyAddresses',
          variable: 'p',
          predicate: { kind: 'comparison', operator: 'eq', property: 'p', value: `smtp:${address}` },
        },
        top: 10,
      });
      return page.items as unknown as TargetObject[];
    },
    async get(type, id) {
      try {
        return (await directory.get(tenantId, type, id)) as unknown as TargetObject;
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ERR_DIR_NOT_FOUND') return undefined;
        throw error;
      }
    },
    async create(type, properties) {
      return (await directory.create(tenantId, type, fit(type, properties), PROVISIONING)) as unknown as TargetObject;
    },
    async createMany(type, items) {
      return (await directory.createMany(tenantId, type, items.map((item) => fit(type, item)), PROVISIONING)) as unknown as TargetObject[];
    },
    async createEach(type, items) {
      return (await directory.createEach(tenantId, type, items.map((item) => fit(type, item)), PROVISIONING)) as unknown as TargetWriteResult[];
    },
    async update(type, id, patch) {
      return (await directory.update(tenantId, type, id, fit(type, patch), PROVISIONING)) as unknown as TargetObject;
    },
    async updateMany(type, items) {
      const fitted = items.map(({ id, patch }) => ({ id, patch: fit(type, patch) }));
      return (await directory.updateMany(tenantId, type, fitted, PROVISIONING)) as unknown as TargetObject[];
    },
    async updateEach(type, items) {
      const fitted = items.map(({ id, patch }) => ({ id, patch: fit(type, patch) }));
      return (await directory.updateEach(tenantId, type, fitted, PROVISIONING)) as unknown as TargetWriteResult[];
    },
    async getMany(type, ids) {
      const byId = new Map((await listIn(directory, tenantId, type, 'id', ids)).map((object) => [object.id, object]));
      return ids.map((id) => byId.get(id));
    },
    delete: (type, id) => directory.delete(tenantId, type, id, PROVISIONING),
    deleteMany: (type, ids) => directory.deleteMany(tenantId, type, ids, PROVISIONING),
    async restore(id) {
      return (await directory.restore(tenantId, id, PROVISIONING)) as unknown as TargetObject;
    },
    async restoreMany(ids) {
      return (await directory.restoreMany(tenantId, ids, PROVISIONING)) as unknown as TargetObject[];
    },
    addMember: (groupId, memberId) => directory.addMember(tenantId, groupId, memberId, PROVISIONING),
    removeMember: (groupId, memberId) => directory.removeMember(tenantId, groupId, memberId, PROVISIONING),
  };
}
