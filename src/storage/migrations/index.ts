/**
 * The static migration list. Static (not a folder scan) so the set is fixed at build time and the same on every
 * node; names sort in application order. Append new migrations; never edit a released one.
 */
import type { Migration, MigrationProvider } from 'kysely/migration';
import * as m0001 from './0001-directory.ts';
import * as m0002 from './0002-connector-space.ts';
import * as m0003 from './0003-synchronization.ts';
import * as m0004 from './0004-provisioning-logs.ts';
import * as m0005 from './0005-agents.ts';
import * as m0006 from './0006-job-safety.ts';
import * as m0007 from './0007-connector-space-indexes.ts';
import * as m0008 from './0008-managers.ts';
import * as m0009 from './0009-connector-space-containers.ts';
import * as m0010 from './0010-provisioning-log-indexes.ts';
import * as m0011 from './0011-connector-space-inline-references.ts';
import * as m0012 from './0012-directory-app-id-partial.ts';
import * as m0013 from './0013-without-rowid-logs.ts';
import * as m0014 from './0014-changes-age-index.ts';

export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001-directory': m0001,
  '0002-connector-space': m0002,
  '0003-synchronization': m0003,
  '0004-provisioning-logs': m0004,
  '0005-agents': m0005,
  '0006-job-safety': m0006,
  '0007-connector-space-indexes': m0007,
  '0008-managers': m0008,
  '0009-connector-space-containers': m0009,
  '0010-provisioning-log-indexes': m0010,
  '0011-connector-space-inline-references': m0011,
  '0012-directory-app-id-partial': m0012,
  '0013-without-rowid-logs': m0013,
  '0014-changes-age-index': m0014,
});

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return { ...MIGRATIONS };
  },
};
