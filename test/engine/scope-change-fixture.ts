/**
 * What the tests of objects leaving and coming back into the scope share: two tenants of one store, one written run
 * by run and one object by object, fed from one LDIF file; a schema that takes every user out of the scope; and
 * what of the two is compared (log entries, connector-space entries, reports) without what differs between tenants.
 */
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LdifConnector } from '../../src/connectors/ldif/ldif-connector.ts';
import type { CycleReport, ProvisioningLogEntry } from '../../src/engine/index.ts';
import { compileSynchronizationSchema, getTemplate, type SynchronizationSchema } from '../../src/schema/index.ts';
import type { Backend } from '../storage/backends.ts';
import { engineFixture, type EngineFixture } from './engine-fixture.ts';

export interface TenantPair {
  /** the tenant whose target writes runs (the test decides what it drops from the other) */
  readonly batched: EngineFixture;
  readonly oneByOne: EngineFixture;
  fixtures(): readonly [EngineFixture, EngineFixture];
  /** the LDIF file the source reads; the test writes it */
  readonly file: string;
  readonly source: LdifConnector;
}

/** Two engine fixtures on one fresh store of `backend`, opened before the suite's tests and removed after them. */
export function tenantPair(backend: Backend, prefix: string): TenantPair {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'export.ldif');
  const fixtures: EngineFixture[] = [];
  let dispose: (() => Promise<void>) | undefined;
  before(async () => {
    const opened = await backend.open();
    dispose = opened.dispose;
    fixtures.push(await engineFixture(opened.store), await engineFixture(opened.store));
  });
  after(async () => {
    await dispose?.();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get batched() {
      return fixtures[0]!;
    },
    get oneByOne() {
      return fixtures[1]!;
    },
    fixtures: () => [fixtures[0]!, fixtures[1]!],
    file,
    source: new LdifConnector({ file }),
  };
}

/** The connector-space entries of `anchors`: dn, state, the cloud object's label (by cloud id), failures, last error. */
export async function entriesOf(f: EngineFixture, anchors: readonly string[], labels: ReadonlyMap<string, unknown>): Promise<unknown[][]> {
  const entries = await f.connectorSpace.get(anchors);
  return [...entries.values()].map((e) => [e.dn, e.state, labels.get(e.cloudId!) ?? e.cloudId, e.escrow.failureCount, e.escrow.lastError?.code ?? null]);
}

export const withoutCycleId = (report: CycleReport) => ({ ...report, cycleId: null });

/** AD2AADProvisioning with a user scoping filter no user passes (every user has a cn): every user leaves the scope. */
export function nobodyInScope() {
  const template = JSON.parse(JSON.stringify(getTemplate('AD2AADProvisioning'))) as SynchronizationSchema;
  const users = template.synchronizationRules![0]!.objectMappings!.find((m) => m.targetObjectName === 'User')!;
  (users as { scope: unknown }).scope = { ...users.scope, groups: [{ name: 'nobody', clauses: [{ sourceOperandName: 'cn', operatorName: 'IS NULL', targetOperand: { values: [] } }] }] };
  return compileSynchronizationSchema(template);
}

/** The log entries without what differs between two tenants of one store (ids, the tenant's domain). */
export function comparable(entries: readonly ProvisioningLogEntry[], domain: string): string {
  return JSON.stringify(entries.map(({ action, status, steps, modifiedProperties, sourceIdentity, errorCode, errorMessage }) => ({ action, status, steps, modifiedProperties, sourceIdentity, errorCode, errorMessage })))
    .replaceAll(domain, '<tenant domain>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>');
}
