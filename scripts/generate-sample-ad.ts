/**
 * Generates src/demo/sample-ad.ldif: a deterministic sample Active Directory export for the demo and for tests
 * that need a realistic directory without a server.
 *
 *   npx node scripts/generate-sample-ad.ts [--users 1000] [--out src/demo/sample-ad.ldif]
 *
 * What it contains (the same every run: a seeded PRNG, no clock): OUs per department under OU=Corp; users with
 * realistic names (some non-ASCII, written base64 as ldifde does), UPNs and mail @corp.example.com,
 * proxyAddresses, department, title, manager chains, some disabled accounts (userAccountControl 514), binary
 * objectGUID/objectSid (base64); department security groups, a nested distribution group of groups, project
 * groups with users, contacts and groups as members; external contacts. Lines are folded at 76 columns like
 * ldifde/ldapsearch output.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { users: { type: 'string', default: '1000' }, out: { type: 'string', default: 'src/demo/sample-ad.ldif' } },
});
const USER_COUNT = Number(args.users);
if (!Number.isInteger(USER_COUNT) || USER_COUNT < 10) throw new TypeError('--users must be an integer ≥ 10');

const BASE = 'DC=corp,DC=example,DC=com';
const DOMAIN = 'corp.example.com';
const CORP = `OU=Corp,${BASE}`;
const USERS_OU = `OU=Users,${CORP}`;
const GROUPS_OU = `OU=Groups,${CORP}`;
const CONTACTS_OU = `OU=Contacts,${CORP}`;
const DOMAIN_SID = [21, 3623811015, 3361044348, 30300820] as const;

/** mulberry32: small, fast, and the same everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(20240601);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));

const FIRST = ['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William',
  'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen', 'Daniel', 'Nancy', 'Matthew',
  'Lisa', 'Anthony', 'Betty', 'Mark', 'Sandra', 'Paul', 'Ashley', 'Steven', 'Emily', 'Andrew', 'Donna', 'Kenneth', 'Michelle',
  'Joshua', 'Carol', 'Kevin', 'Amanda', 'Brian', 'Melissa', 'Aisha', 'Wei', 'Priya', 'Hiroshi', 'Olga', 'Mateo', 'Fatima',
  'Lars', 'Ingrid', 'Kwame', 'Sofia', 'Ravi', 'Mei', 'Noah', 'Emma', 'Liam', 'Olivia', 'Chloé', 'José', 'Zoë', 'Björn', 'Renée'];
const LAST = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez',
  'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King',
  'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell',
  'Mitchell', 'Carter', 'Roberts', 'Okafor', 'Tanaka', 'Kowalski', 'Novak', 'Schmidt', 'Müller', 'Søndergaard', "O'Brien",
  'Chen', 'Patel', 'Kim', 'Singh', 'Haddad', 'Ivanova'];
const DEPARTMENTS = [
  { name: 'Sales', weight: 22, titles: ['Account Executive', 'Sales Representative', 'Sales Engineer', 'Account Manager'] },
  { name: 'Engineering', weight: 28, titles: ['Software Engineer', 'Senior Software Engineer', 'Site Reliability Engineer', 'QA Engineer', 'Architect'] },
  { name: 'Finance', weight: 8, titles: ['Accountant', 'Financial Analyst', 'Controller', 'Payroll Specialist'] },
  { name: 'Human Resources', weight: 6, titles: ['HR Generalist', 'Recruiter', 'HR Business Partner'] },
  { name: 'Marketing', weight: 10, titles: ['Marketing Specialist', 'Content Writer', 'Product Marketing Manager', 'Designer'] },
  { name: 'Support', weight: 16, titles: ['Support Engineer', 'Customer Success Manager', 'Technical Writer'] },
  { name: 'Operations', weight: 10, titles: ['Operations Analyst', 'Facilities Coordinator', 'IT Administrator', 'Procurement Specialist'] },
] as const;
const CITIES = [['Seattle', 'US', 'WA'], ['New York', 'US', 'NY'], ['Austin', 'US', 'TX'], ['London', 'GB', ''], ['Berlin', 'DE', ''], ['Toronto', 'CA', 'ON']] as const;

// ---------------------------------------------------------------------------------------------------------------
// LDIF writing (RFC 2849)

/** RFC 2849 SAFE-STRING: no leading space, colon or "<", ASCII without NUL/CR/LF, no trailing space. */
function isSafe(value: string): boolean {
  return /^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(value) && !value.endsWith(' ');
}

function fold(line: string): string {
  if (line.length <= 76) return line;
  const parts = [line.slice(0, 76)];
  for (let i = 76; i < line.length; i += 75) parts.push(` ${line.slice(i, i + 75)}`);
  return parts.join('\n');
}

type LdifAttr = readonly [name: string, value: string | Buffer];
function record(dn: string, attrs: readonly LdifAttr[]): string {
  const lines = [isSafe(dn) ? `dn: ${dn}` : `dn:: ${Buffer.from(dn).toString('base64')}`, 'changetype: add'];
  for (const [name, value] of attrs) {
    if (typeof value === 'string' && isSafe(value)) lines.push(`${name}: ${value}`);
    else lines.push(`${name}:: ${(typeof value === 'string' ? Buffer.from(value, 'utf8') : value).toString('base64')}`);
  }
  return lines.map(fold).join('\n');
}

function sid(rid: number): Buffer {
  const b = Buffer.alloc(8 + 4 * (DOMAIN_SID.length + 1));
  b[0] = 1;
  b[1] = DOMAIN_SID.length + 1;
  b.writeUIntBE(5, 2, 6);
  [...DOMAIN_SID, rid].forEach((sub, i) => b.writeUInt32LE(sub, 8 + 4 * i));
  return b;
}

/** A version-4 random GUID in AD's byte order (any 16 bytes are a valid objectGUID). */
function guid(): Buffer {
  const b = bytes(16);
  b[7] = (b[7]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return b;
}

const ascii = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ø/g, 'o').replace(/ß/g, 'ss').replace(/[^A-Za-z0-9]/g, '').toLowerCase();
const esc = (rdnValue: string) => rdnValue.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`);

// ---------------------------------------------------------------------------------------------------------------

const out: string[] = [
  '# Sample Active Directory export for cloudsync (generated by scripts/generate-sample-ad.ts; do not edit).',
  `# ${USER_COUNT} users, department groups, nested groups, contacts. Domain ${DOMAIN}.`,
  'version: 1',
];
const emit = (dn: string, attrs: LdifAttr[]) => out.push('', record(dn, attrs));
let rid = 1200;
const when = (day: number) => `2023${String(1 + (day % 12)).padStart(2, '0')}${String(1 + (day % 28)).padStart(2, '0')}090000.0Z`;

const ou = (dn: string, name: string, description: string) =>
  emit(dn, [['objectClass', 'top'], ['objectClass', 'organizationalUnit'], ['ou', name], ['description', description], ['objectGUID', guid()]]);
ou(CORP, 'Corp', 'Everything synchronised to the cloud');
ou(USERS_OU, 'Users', 'Employees by department');
ou(GROUPS_OU, 'Groups', 'Security and distribution groups');
ou(CONTACTS_OU, 'Contacts', 'External partners');
for (const d of DEPARTMENTS) ou(`OU=${d.name},${USERS_OU}`, d.name, `${d.name} department`);

interface User { dn: string; department: string; head: boolean; upn: string; disabled: boolean }
const users: User[] = [];
const taken = new Set<string>();
const totalWeight = DEPARTMENTS.reduce((s, d) => s + d.weight, 0);
const headOf = new Map<string, string>();
const leadsOf = new Map<string, string[]>();
let index = 0;
for (const d of DEPARTMENTS) {
  const count = d === DEPARTMENTS[DEPARTMENTS.length - 1]
    ? USER_COUNT - index
    : Math.round((USER_COUNT * d.weight) / totalWeight);
  for (let k = 0; k < count; k++, index++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    let base = `${ascii(first)}.${ascii(last)}`;
    let alias = base;
    for (let n = 2; taken.has(alias); n++) alias = `${base}${n}`;
    taken.add(alias);
    base = alias;
    const cn = alias === `${ascii(first)}.${ascii(last)}` ? `${first} ${last}` : `${first} ${last} ${alias.replace(/\D/g, '')}`;
    const dn = `CN=${esc(cn)},OU=${d.name},${USERS_OU}`;
    const upn = `${base}@${DOMAIN}`;
    const head = k === 0;
    const lead = !head && k % 8 === 1;
    const disabled = !head && random() < 0.04;
    const city = pick(CITIES);
    const title = head ? `Head of ${d.name}` : lead ? `${d.name} Team Lead` : pick(d.titles);
    const manager = head ? undefined : lead ? headOf.get(d.name) : pick(leadsOf.get(d.name) ?? [headOf.get(d.name)!]);
    rid++;
    const attrs: LdifAttr[] = [
      ['objectClass', 'top'], ['objectClass', 'person'], ['objectClass', 'organizationalPerson'], ['objectClass', 'user'],
      ['cn', cn], ['sn', last], ['givenName', first], ['displayName', `${first} ${last}`], ['name', cn],
      ['sAMAccountName', base.slice(0, 20)], ['userPrincipalName', upn], ['mail', upn],
      ['proxyAddresses', `SMTP:${upn}`], ['proxyAddresses', `smtp:${base}@corp.mail.example.com`],
      ['mailNickname', base], ['department', d.name], ['title', title], ['company', 'Contoso Corp'],
      ['employeeID', String(100000 + index)], ['telephoneNumber', `+1 555 ${String(1000 + index).padStart(4, '0')}`],
      ['l', city[0]], ['c', city[1]], ...(city[2] ? [['st', city[2]] as const] : []),
      ...(manager ? [['manager', manager] as const] : []),
      ['userAccountControl', disabled ? '514' : '512'],
      ['objectGUID', guid()], ['objectSid', sid(rid)],
      ['whenCreated', when(index)],
    ];
    emit(dn, attrs);
    users.push({ dn, department: d.name, head, upn, disabled });
    if (head) headOf.set(d.name, dn);
    if (lead) leadsOf.set(d.name, [...(leadsOf.get(d.name) ?? []), dn]);
  }
}

const contacts: string[] = [];
const PARTNERS = ['fabrikam.com', 'adatum.com', 'litware.com', 'northwindtraders.com', 'wingtiptoys.com'];
for (let i = 0; i < 40; i++) {
  const first = pick(FIRST);
  const last = pick(LAST);
  const domain = PARTNERS[i % PARTNERS.length]!;
  const mail = `${ascii(first)}.${ascii(last)}${i}@${domain}`;
  const cn = `${first} ${last} (${domain.split('.')[0]})`;
  const dn = `CN=${esc(cn)},${CONTACTS_OU}`;
  emit(dn, [
    ['objectClass', 'top'], ['objectClass', 'person'], ['objectClass', 'organizationalPerson'], ['objectClass', 'contact'],
    ['cn', cn], ['sn', last], ['givenName', first], ['displayName', cn], ['mail', mail],
    ['proxyAddresses', `SMTP:${mail}`], ['targetAddress', `SMTP:${mail}`], ['company', domain], ['objectGUID', guid()],
  ]);
  contacts.push(dn);
}

const GLOBAL_SECURITY = String(-2147483646);
const UNIVERSAL_DISTRIBUTION = '8';
const UNIVERSAL_SECURITY = String(-2147483640);
const group = (cn: string, groupType: string, description: string, members: readonly string[], mail?: string): string => {
  const dn = `CN=${esc(cn)},${GROUPS_OU}`;
  rid++;
  const sam = cn.replace(/[^A-Za-z0-9]/g, '').slice(0, 20);
  emit(dn, [
    ['objectClass', 'top'], ['objectClass', 'group'], ['cn', cn], ['name', cn], ['sAMAccountName', sam],
    ['description', description], ['groupType', groupType],
    ...(mail ? [['mail', mail] as const, ['proxyAddresses', `SMTP:${mail}`] as const, ['mailNickname', sam.toLowerCase()] as const] : []),
    ...members.map((m) => ['member', m] as const),
    ['objectGUID', guid()], ['objectSid', sid(rid)],
  ]);
  return dn;
};

const departmentGroups = DEPARTMENTS.map((d) =>
  group(`${d.name} Team`, GLOBAL_SECURITY, `Everyone in ${d.name}`, users.filter((u) => u.department === d.name).map((u) => u.dn)));
const managers = group('Managers', UNIVERSAL_SECURITY, 'Department heads and team leads',
  [...headOf.values(), ...[...leadsOf.values()].flat()]);
group('All Staff', UNIVERSAL_DISTRIBUTION, 'Every department (nested groups)', [...departmentGroups, managers], `allstaff@${DOMAIN}`);
group('VPN Users', GLOBAL_SECURITY, 'Remote access', users.filter(() => random() < 0.2).map((u) => u.dn));
const phoenix = group('Project Phoenix', UNIVERSAL_SECURITY, 'Cross-team project with partners',
  [...users.filter((u) => u.department === 'Engineering').slice(0, 12).map((u) => u.dn), ...contacts.slice(0, 6)]);
group('Partner Newsletter', UNIVERSAL_DISTRIBUTION, 'Partners and the project team (nested)', [...contacts, phoenix], `partners@${DOMAIN}`);
group('Disabled Accounts Review', GLOBAL_SECURITY, 'Accounts pending removal', users.filter((u) => u.disabled).map((u) => u.dn));

const text = `${out.join('\n')}\n`;
writeFileSync(args.out, text);
process.stdout.write(`${JSON.stringify({ file: args.out, bytes: Buffer.byteLength(text), users: users.length, contacts: contacts.length, groups: DEPARTMENTS.length + 6, disabled: users.filter((u) => u.disabled).length })}\n`);
