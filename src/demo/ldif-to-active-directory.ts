/**
 * Loads an AD export (ldifde `changetype: add` records, such as src/demo/sample-ad.ldif) into a live Active
 * Directory DC over LDAP: what `cloudsync demo --samba` seeds its throwaway Samba DC with.
 *
 * What an export carries that a DC will not take, and how it is handled:
 * - Attributes the DC owns (MS-ADTS 3.1.1.5.2.2 "Constraints": objectGUID, objectSid, whenCreated, name, … are
 *   system-only or set by the DC): dropped; the DC gives the objects new ones.
 * - Attributes the DC's schema does not define (Samba has no Exchange schema: mailNickname, targetAddress):
 *   dropped, after asking the DC's schema once per attribute name.
 * - Links (member, manager) may point at objects added later in the file: every object is added without them
 *   first, then the links are set by modify in a second pass.
 * - userAccountControl NORMAL_ACCOUNT (512) on an account without a password is refused by the password policy;
 *   such accounts are added with PASSWD_NOTREQD (0x20) as well, so they stay enabled as in the export.
 */
import { Attribute, Change, type Client } from 'ldapts';
import type { LdifRecord, LdifValue } from '../connectors/ldif/ldif-parser.ts';

/** Set by the DC itself; an add naming them is refused. */
const DC_OWNED = new Set(['objectguid', 'objectsid', 'whencreated', 'whenchanged', 'name', 'distinguishedname', 'usnchanged', 'usncreated',
  'iscriticalsystemobject', 'samaccounttype', 'primarygroupid', 'memberof', 'objectcategory', 'instancetype', 'pwdlastset']);
const LINKS = new Set(['member', 'manager']);
const UF_PASSWD_NOTREQD = 0x20;

export interface LdifImportReport {
  readonly objects: number;
  readonly links: number;
  /** attribute names dropped because the DC's schema does not define them */
  readonly droppedAttributes: readonly string[];
  readonly milliseconds: number;
}

async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

function text(value: LdifValue): string | Buffer {
  return typeof value === 'string' ? value : Buffer.from(value);
}

/**
 * Adds the records (in file order for parents before children; one level at a time, concurrently within a
 * level), then sets their links. `schemaDn` is the DC's schema NC (CN=Schema,CN=Configuration,<forest root>).
 */
export async function importLdifIntoActiveDirectory(client: Client, records: readonly LdifRecord[], schemaDn: string, options: { concurrency?: number } = {}): Promise<LdifImportReport> {
  const began = Date.now();
  const concurrency = options.concurrency ?? 16;
  const adds = records.filter((record) => record.changeType === undefined || record.changeType === 'add');
  const names = new Set(adds.flatMap((record) => [...record.attributes.keys()]).map((name) => name.toLowerCase()));
  const unknown = new Set<string>();
  for (const name of names) {
    if (DC_OWNED.has(name) || name === 'objectclass') continue;
    const { searchEntries } = await client.search(schemaDn, { scope: 'one', filter: `(lDAPDisplayName=${name})`, attributes: ['lDAPDisplayName'] });
    if (searchEntries.length === 0) unknown.add(name);
  }

  // Parents before children: by depth, each level concurrently.
  const depth = (dn: string) => dn.split(/(?<!\\),/).length;
  const levels = [...new Set(adds.map((record) => depth(record.dn)))].sort((a, b) => a - b);
  for (const level of levels) {
    await inParallel(adds.filter((record) => depth(record.dn) === level), concurrency, async (record) => {
      const attributes: Attribute[] = [];
      for (const [name, values] of record.attributes) {
        const key = name.toLowerCase();
        if (DC_OWNED.has(key) || LINKS.has(key) || unknown.has(key)) continue;
        const written = key === 'useraccountcontrol' ? [String(Number(values[0]) | UF_PASSWD_NOTREQD)] : values.map(text);
        attributes.push(new Attribute({ type: name, values: written as string[] | Buffer[] }));
      }
      await client.add(record.dn, attributes);
    });
  }

  let links = 0;
  await inParallel(adds, concurrency, async (record) => {
    const changes: Change[] = [];
    for (const [name, values] of record.attributes) {
      if (!LINKS.has(name.toLowerCase()) || values.length === 0) continue;
      changes.push(new Change({ operation: 'replace', modification: new Attribute({ type: name, values: values.map((v) => String(text(v))) }) }));
      links += values.length;
    }
    if (changes.length > 0) await client.modify(record.dn, changes);
  });
  return { objects: adds.length, links, droppedAttributes: [...unknown].sort(), milliseconds: Date.now() - began };
}
