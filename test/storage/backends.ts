/**
 * The store backends every contract suite runs against. `CLOUDSYNC_TEST_BACKENDS=sqlite` (or `postgres`) narrows
 * the list, e.g. while iterating locally; CI runs both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/storage/index.ts';
import { createTestDatabase } from '../harness/postgres.ts';

export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  /** A fresh, empty, migrated store; `dispose` closes it and removes its files. */
  open(): Promise<{ store: Store; dispose: () => Promise<void> }>;
}

const ALL: readonly Backend[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'cloudsync-store-'));
      const store = await openStore({ dataDir: dir });
      return {
        store,
        dispose: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    async open() {
      const store = await openStore({ databaseUrl: await createTestDatabase() });
      return { store, dispose: () => store.close() };
    },
  },
];

const wanted = (process.env['CLOUDSYNC_TEST_BACKENDS'] ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '');

export const BACKENDS: readonly Backend[] = wanted.length === 0 ? ALL : ALL.filter((b) => wanted.includes(b.name));
