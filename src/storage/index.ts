export { openStore, SQLITE_FILE_NAME, type Database, type Store, type StoreOptions } from './store.ts';
export { MIGRATIONS } from './migrations/index.ts';
export { PROVISIONING_LOG_FILE_NAME } from './provisioning-log-file.ts';
