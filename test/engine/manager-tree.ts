/**
 * Users whose managers form a tree (user i reports to user ⌊i/2⌋; user 0 to nobody), for the tests of reference
 * resolution across pages: links, chains and the manager a link names fall in other pages than the user.
 */
import type { EngineFixture } from './engine-fixture.ts';
import type { MemorySource } from './memory-source.ts';

const BASE = 'DC=corp,DC=example,DC=com';
export const STAFF = `OU=Staff,${BASE}`;
export const dnOf = (i: number) => `CN=User ${i},${STAFF}`;
export const nameOf = (i: number) => `User ${i}`;

/** The OU and `users` users, each but the first with its manager. */
export function addManagerTree(source: MemorySource, users: number): void {
  source.add('organizationalUnit', STAFF, { ou: 'Staff' });
  for (let i = 0; i < users; i++) {
    source.add('user', dnOf(i), {
      cn: nameOf(i), displayName: nameOf(i), sAMAccountName: `user${i}`, userPrincipalName: `user${i}@corp.example.com`,
      ...(i === 0 ? {} : { manager: dnOf(Math.floor(i / 2)) }),
    });
  }
}

/** Each user's manager by name ('-': none), as the tree has it. */
export function treeManagers(users: number): Map<string, string> {
  return new Map(Array.from({ length: users }, (_, i) => [nameOf(i), i === 0 ? '-' : nameOf(Math.floor(i / 2))]));
}

/** Each user's manager by name ('-': none), as the directory answers. */
export async function managersByName(f: EngineFixture): Promise<Map<string, string>> {
  const users = await f.listAll('user');
  const names = new Map(users.map((u) => [String(u['id']), String(u['displayName'])]));
  const out = new Map<string, string>();
  for (const u of users) {
    const manager = await f.directory.getManager(f.tenantId, String(u['id'])).then((m) => names.get(m.id) ?? m.id, () => '-');
    out.set(String(u['displayName']), manager);
  }
  return out;
}
