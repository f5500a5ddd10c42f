export { openStore, SQLITE_FILE_NAME, type Database, type Store, type StoreOptions } from './store.ts';
export { MIGRATIONS } from './migrations/index.ts';
