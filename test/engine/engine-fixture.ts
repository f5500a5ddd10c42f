/**
 * A real cloud directory on a store backend, a tenant, and an engine wired to it: what every engine test starts
 * from. Read-back helpers list the directory through its public surface (paged), so assertions see what a Graph
 * client would.
 */
import { createCloudDirectory, type CloudDirectory, type ObjectType } from '../../src/directory/index.ts';
import {
  cloudDirectoryTarget,
  MemoryProvisioningLog,
  runSynchronizationCycle,
  SqlConnectorSpace,
  type ConnectorSpace,
  type CycleMode,
  type CycleProgress,
  type CycleReport,
  type EngineSource,
  type SynchronizationConfiguration,
  type TargetDirectory,
} from '../../src/engine/index.ts';
import { compileSynchronizationSchema, getTemplate } from '../../src/schema/index.ts';
import type { Store } from '../../src/storage/index.ts';

export interface EngineFixture {
  readonly store: Store;
  readonly directory: CloudDirectory;
  readonly tenantId: string;
  readonly initialDomain: string;
  readonly connectorSpace: SqlConnectorSpace;
  readonly target: TargetDirectory;
  readonly log: MemoryProvisioningLog;
  config: SynchronizationConfiguration;
  now: Date;
  /** every progress report of every cycle */
  readonly progress: CycleProgress[];
  cycle(source: EngineSource, mode?: CycleMode, overrides?: { target?: TargetDirectory; connectorSpace?: ConnectorSpace }): Promise<CycleReport>;
  listAll(type: ObjectType): Promise<Record<string, unknown>[]>;
  listDeleted(type: 'user' | 'group'): Promise<Record<string, unknown>[]>;
  members(groupId: string): Promise<string[]>;
}

let counter = 0;

export const AD_SCHEMA = compileSynchronizationSchema(getTemplate('AD2AADProvisioning'));

/** `tenantId`: use this existing tenant instead of creating one. */
export async function engineFixture(store: Store, options: { configurationId?: string; tenantId?: string } = {}): Promise<EngineFixture> {
  const fixture = { now: new Date('2026-01-01T00:00:00Z') } as EngineFixture;
  const directory = createCloudDirectory(store, { clock: () => fixture.now });
  let name = `eng${process.pid}x${counter++}`;
  let tenantId = options.tenantId;
  if (tenantId === undefined) tenantId = (await directory.createTenant({ name })).tenantId;
  else name = (await directory.listDomains(tenantId)).find((d) => d.isInitial)!.id.split('.')[0]!;
  const configurationId = options.configurationId ?? `config-${name}`;
  const log = new MemoryProvisioningLog();
  const connectorSpace = new SqlConnectorSpace(store, configurationId, { clock: () => fixture.now });
  const target = cloudDirectoryTarget(directory, tenantId);
  let ids = 0;
  Object.assign(fixture, {
    store,
    directory,
    tenantId,
    initialDomain: `${name}.onmicrosoft.example`,
    connectorSpace,
    target,
    log,
    progress: [],
    // reconciliation every delta (the interval has its own test in delta-scenarios.test.ts)
    config: { id: configurationId, schema: AD_SCHEMA, domain: { dnsDomainName: 'corp.example.com', netBiosName: 'CORP' }, reconciliationIntervalMs: 0 },
    cycle: (source: EngineSource, mode: CycleMode = 'auto', overrides: { target?: TargetDirectory; connectorSpace?: ConnectorSpace } = {}) =>
      runSynchronizationCycle(
        {
          source, target: overrides.target ?? target, connectorSpace: overrides.connectorSpace ?? connectorSpace, log,
          clock: () => fixture.now, newId: () => `id-${++ids}`, onProgress: (p: CycleProgress) => fixture.progress.push(p),
        },
        fixture.config,
        { mode },
      ),
    async listAll(type: ObjectType) {
      const out: Record<string, unknown>[] = [];
      let skipToken: string | undefined;
      do {
        const page = await directory.list(tenantId, type, { top: 999, ...(skipToken === undefined ? {} : { skipToken }) });
        out.push(...(page.items as unknown as Record<string, unknown>[]));
        skipToken = page.nextSkipToken;
      } while (skipToken !== undefined);
      return out;
    },
    async listDeleted(type: 'user' | 'group') {
      const out: Record<string, unknown>[] = [];
      let skipToken: string | undefined;
      do {
        const page = await directory.listDeleted(tenantId, type, { top: 999, ...(skipToken === undefined ? {} : { skipToken }) });
        out.push(...(page.items as unknown as Record<string, unknown>[]));
        skipToken = page.nextSkipToken;
      } while (skipToken !== undefined);
      return out;
    },
    async members(groupId: string) {
      const out: string[] = [];
      let skipToken: string | undefined;
      do {
        const page = await directory.listMembers(tenantId, groupId, { top: 999, ...(skipToken === undefined ? {} : { skipToken }) });
        out.push(...page.items.map((i) => String(i['displayName'] ?? i.id)));
        skipToken = page.nextSkipToken;
      } while (skipToken !== undefined);
      return out.sort();
    },
  });
  return fixture;
}
