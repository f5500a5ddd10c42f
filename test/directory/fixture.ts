/**
 * Per-suite setup for the directory contract tests: a fresh store on the given backend, a directory with a
 * settable clock, and helpers to make tenants and users tersely.
 */
import { after, before } from 'node:test';
import { CloudsyncError } from '../../src/errors/index.ts';
import { createCloudDirectory, type CloudDirectory, type DeltaEntry } from '../../src/directory/index.ts';
import type { Store } from '../../src/storage/index.ts';
import type { Backend } from '../storage/backends.ts';
import { stopPostgres } from '../harness/postgres.ts';

export interface DirectoryFixture {
  directory: CloudDirectory;
  store: Store;
  /** The directory's clock; tests move it. */
  now: Date;
  tenant(name?: string): Promise<{ tenantId: string; domain: string }>;
}

let tenantCounter = 0;

export function useDirectory(backend: Backend): DirectoryFixture {
  const fixture = { now: new Date('2025-01-01T00:00:00Z') } as DirectoryFixture;
  let dispose: (() => Promise<void>) | undefined;
  before(async () => {
    const opened = await backend.open();
    dispose = opened.dispose;
    fixture.store = opened.store;
    fixture.directory = createCloudDirectory(opened.store, { clock: () => fixture.now });
    fixture.tenant = async (name) => {
      const tenantName = name ?? `t${process.pid}x${tenantCounter++}`;
      const { tenantId } = await fixture.directory.createTenant({ name: tenantName });
      return { tenantId, domain: `${tenantName}.onmicrosoft.example` };
    };
  });
  after(async () => {
    await dispose?.();
  });
  return fixture;
}

/** Call once per test file, at top level, after the suites. */
export function stopHarnessAfterAll(): void {
  after(() => stopPostgres());
}

/** Asserts that `promise` rejects with a CloudsyncError of `code` and returns it for further checks. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<CloudsyncError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CloudsyncError && error.code === code) return error;
    throw new Error(`expected ${code}, got ${error instanceof CloudsyncError ? error.code + ': ' + error.message : String(error)}`, { cause: error });
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}

/** Every entry of a delta round of `type` from `token` (from the start without one), and the round's next token. */
export async function deltaRound(directory: CloudDirectory, tenantId: string, type: 'user' | 'group', token?: string): Promise<{ items: DeltaEntry[]; token: string }> {
  const items: DeltaEntry[] = [];
  let page = await directory.delta(tenantId, type, token === undefined ? { top: 999 } : { token, top: 999 });
  for (;;) {
    items.push(...page.items);
    if (page.deltaToken !== undefined) return { items, token: page.deltaToken };
    page = await directory.delta(tenantId, type, { token: page.nextToken!, top: 999 });
  }
}
