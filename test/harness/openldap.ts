/**
 * A throwaway OpenLDAP slapd for integration tests and benchmarks: the "generic LDAP" source.
 *
 * - Configured with cn=config (OLC), loaded offline with `slapadd -n0` from an LDIF built here, into a temp dir.
 * - mdb backend, suffix dc=example,dc=org, core/cosine/inetorgperson/nis schemas, the syncprov overlay (for
 *   syncrepl refreshAndPersist later). entryUUID, entryCSN, createTimestamp and modifyTimestamp are operational
 *   attributes slapd maintains by itself.
 * - Listens on a free 127.0.0.1 port for ldap:// (StartTLS offered) and another for ldaps://, with a certificate
 *   issued by a per-instance CA (openssl) whose subjectAltName is 127.0.0.1 and localhost.
 * - Runs as the current user (root or not: every file it touches is ours and the ports are > 1024; `-u` is only
 *   needed to drop root, which a test does not need). `stop()` kills it and removes the dir.
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Attribute, Change } from 'ldapts';
import { freePort, killGroup, sweepAbandoned, track, untrack } from './server-process.ts';
import { issueCertificates } from './test-certificates.ts';

export const OPENLDAP_BASE_DN = 'dc=example,dc=org';
export const OPENLDAP_ADMIN_DN = 'cn=admin,dc=example,dc=org';
/** Test-only secret of a throwaway server. */
export const OPENLDAP_ADMIN_PASSWORD = 'secret-admin';

export interface OpenLdapServer {
  readonly url: string;
  readonly ldapsUrl: string;
  readonly port: number;
  readonly ldapsPort: number;
  readonly baseDn: string;
  readonly adminDn: string;
  readonly adminPassword: string;
  readonly caFile: string;
  readonly otherCaFile: string;
  readonly dir: string;
  admin(): Promise<Client>;
  stop(): Promise<void>;
}

export function openLdapUnavailableReason(): string | undefined {
  for (const tool of ['/usr/sbin/slapd', '/usr/sbin/slapadd', 'openssl']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (run: node scripts/system-packages.ts)`;
  }
  return undefined;
}

function configLdif(dir: string, tls: { caFile: string; certFile: string; keyFile: string }, sessionLog: number | false, memberOf: MemberOfModule | undefined): string {
  const hash = execFileSync('/usr/sbin/slappasswd', ['-s', OPENLDAP_ADMIN_PASSWORD], { encoding: 'utf8' }).trim();
  return `dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: ${join(dir, 'slapd.pid')}
olcTLSCACertificateFile: ${tls.caFile}
olcTLSCertificateFile: ${tls.certFile}
olcTLSCertificateKeyFile: ${tls.keyFile}
olcSizeLimit: unlimited

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: syncprov
${memberOf === undefined ? '' : `olcModuleLoad: ${memberOf}\n`}
dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif

include: file:///etc/ldap/schema/cosine.ldif

include: file:///etc/ldap/schema/inetorgperson.ldif

include: file:///etc/ldap/schema/nis.ldif
${memberOf === 'dynlist' ? '\ninclude: file:///etc/ldap/schema/dyngroup.ldif\n' : ''}
dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend
olcSizeLimit: unlimited

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: ${OPENLDAP_BASE_DN}
olcDbDirectory: ${join(dir, 'data')}
olcRootDN: ${OPENLDAP_ADMIN_DN}
olcRootPW: ${hash}
olcDbMaxSize: 8589934592
olcDbNoSync: TRUE
olcDbIndex: objectClass eq
olcDbIndex: entryUUID eq
olcDbIndex: entryCSN eq
olcDbIndex: uid eq
olcDbIndex: member eq
olcSizeLimit: unlimited
olcAccess: {0}to attrs=userPassword by self write by anonymous auth by * none
olcAccess: {1}to * by users read by * none

dn: olcOverlay={0}syncprov,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcSyncProvConfig
olcOverlay: {0}syncprov
olcSpCheckpoint: 100 10
${sessionLog === false ? '' : `olcSpSessionlog: ${sessionLog}\n`}${memberOf === undefined ? '' : MEMBER_OF_OVERLAYS[memberOf]}`;
}

/**
 * The two ways slapd 2.5 keeps memberOf: the memberof overlay stores it on each member when a group changes (with
 * referential integrity, so a renamed group's members follow); dynlist computes it when a search asks for it, from
 * the static groupOfNames that name the entry (slapo-dynlist(5): `member+memberOf@groupOfNames`).
 */
const MEMBER_OF_OVERLAYS: Readonly<Record<MemberOfModule, string>> = {
  memberof: `
dn: olcOverlay={1}memberof,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcMemberOf
olcOverlay: {1}memberof
olcMemberOfGroupOC: groupOfNames
olcMemberOfMemberAD: member
olcMemberOfMemberOfAD: memberOf
olcMemberOfRefInt: TRUE
`,
  dynlist: `
dn: olcOverlay={1}dynlist,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcDynListConfig
olcOverlay: {1}dynlist
olcDynListAttrSet: {0}groupOfURLs memberURL member+memberOf@groupOfNames
`,
};

export const MEMBER_OF_MODULES = ['memberof', 'dynlist'] as const;
export type MemberOfModule = (typeof MEMBER_OF_MODULES)[number];

export interface StartOpenLdapOptions {
  /** Create the base entry and ou=people, ou=groups (default true). */
  seedBase?: boolean;
  /**
   * Entries loaded offline with `slapadd -q` before slapd starts (after the base entries): ~20× faster than
   * ldapadd for the 200,000-entry benchmarks. Called once per 10,000 entries so no single string gets huge.
   */
  initialEntries?: (write: (ldif: string) => void) => void;
  startTimeoutMs?: number;
  /**
   * syncprov's session log (olcSpSessionlog), in operations (default 10,000); false for none. Without one (or with
   * a cookie older than it reaches), a refresh from a cookie is a present phase: deletions are implied, not named.
   */
  sessionLog?: number | false;
  /**
   * What keeps memberOf on each member of a groupOfNames (MEMBER_OF_OVERLAYS): the memberof overlay, or dynlist's
   * memberOf. Absent (the default): slapd keeps no memberOf.
   */
  memberOf?: MemberOfModule;
}

export async function startOpenLdap(options: StartOpenLdapOptions = {}): Promise<OpenLdapServer> {
  const unavailable = openLdapUnavailableReason();
  if (unavailable) throw new Error(unavailable);
  sweepAbandoned('cloudsync-slapd-', 'slapd.pid', false);
  const dir = mkdtempSync(join(tmpdir(), 'cloudsync-slapd-'));
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  let child: ChildProcess | undefined;
  try {
    const tls = issueCertificates(join(dir, 'tls'), { commonName: 'localhost', subjectAltNames: ['IP:127.0.0.1', 'DNS:localhost'], keyType: 'ec' });
    mkdirSync(join(dir, 'slapd.d'));
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'config.ldif'), configLdif(dir, tls, options.sessionLog ?? 10_000, options.memberOf));
    execFileSync('/usr/sbin/slapadd', ['-n0', '-F', join(dir, 'slapd.d'), '-l', join(dir, 'config.ldif')], { stdio: ['ignore', 'pipe', 'pipe'] });
    if (options.seedBase !== false) {
      writeFileSync(join(dir, 'base.ldif'), `dn: ${OPENLDAP_BASE_DN}
objectClass: dcObject
objectClass: organization
dc: example
o: Example Org

dn: ou=people,${OPENLDAP_BASE_DN}
objectClass: organizationalUnit
ou: people

dn: ou=groups,${OPENLDAP_BASE_DN}
objectClass: organizationalUnit
ou: groups
`);
      execFileSync('/usr/sbin/slapadd', ['-n1', '-F', join(dir, 'slapd.d'), '-l', join(dir, 'base.ldif')], { stdio: ['ignore', 'pipe', 'pipe'] });
    }
    if (options.initialEntries !== undefined) {
      const file = join(dir, 'initial.ldif');
      writeFileSync(file, '');
      options.initialEntries((ldif) => appendFileSync(file, ldif.endsWith('\n') ? `${ldif}\n` : `${ldif}\n\n`));
      execFileSync('/usr/sbin/slapadd', ['-q', '-n1', '-F', join(dir, 'slapd.d'), '-l', file], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
      rmSync(file, { force: true });
    }
    const port = await freePort();
    const ldapsPort = await freePort();
    const logFd = openSync(join(dir, 'slapd.log'), 'a');
    // `-d 0` keeps slapd in the foreground (so it is our child and dies with its process group) without debug noise.
    child = spawn('/usr/sbin/slapd', ['-F', join(dir, 'slapd.d'), '-h', `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${ldapsPort}/`, '-d', '0'], {
      cwd: dir, // lets a later sweep recognise this process
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
    closeSync(logFd);
    track(child);
    const url = `ldap://127.0.0.1:${port}`;
    const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
    for (;;) {
      const client = new Client({ url, connectTimeout: 500, timeout: 2000 });
      try {
        await client.bind(OPENLDAP_ADMIN_DN, OPENLDAP_ADMIN_PASSWORD);
        await client.unbind();
        break;
      } catch (error) {
        await client.unbind().catch(() => undefined);
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`slapd did not answer on ${url}: ${String(error)}\n${readFileSync(join(dir, 'slapd.log'), 'utf8').slice(-2000)}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const clients: Client[] = [];
    const proc = child;
    let stopped = false;
    return {
      url,
      ldapsUrl: `ldaps://127.0.0.1:${ldapsPort}`,
      port,
      ldapsPort,
      baseDn: OPENLDAP_BASE_DN,
      adminDn: OPENLDAP_ADMIN_DN,
      adminPassword: OPENLDAP_ADMIN_PASSWORD,
      caFile: tls.caFile,
      otherCaFile: tls.otherCaFile,
      dir,
      async admin() {
        const client = new Client({ url, timeout: 120_000 });
        await client.bind(OPENLDAP_ADMIN_DN, OPENLDAP_ADMIN_PASSWORD);
        clients.push(client);
        return client;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await Promise.all(clients.map((c) => c.unbind().catch(() => undefined)));
        await killGroup(proc);
        untrack(proc);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (child) { await killGroup(child); untrack(child); }
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Seeding

export interface GenericUserSeed {
  uid: string;
  givenName: string;
  sn: string;
  ou?: string;
  mail?: string;
  title?: string;
  departmentNumber?: string;
}

/** The LDIF of N inetOrgPersons (uid=user00001…) under ou=<ou>; deterministic. */
export function genericUsersLdif(count: number, options: { ou?: string; baseDn?: string; start?: number } = {}): string {
  const base = options.baseDn ?? OPENLDAP_BASE_DN;
  const ou = options.ou ?? 'people';
  const out: string[] = [];
  const start = options.start ?? 1;
  for (let i = start; i < start + count; i++) {
    const uid = `user${String(i).padStart(6, '0')}`;
    out.push(`dn: uid=${uid},ou=${ou},${base}
objectClass: inetOrgPerson
uid: ${uid}
cn: Test User ${i}
givenName: Test
sn: User${i}
displayName: Test User ${i}
mail: ${uid}@example.org
title: Engineer
departmentNumber: ${100 + (i % 7)}
telephoneNumber: +1 555 ${String(i % 10000).padStart(4, '0')}
`);
  }
  return out.join('\n');
}

/** Adds entries from LDIF offline or online: `ldapadd` is ~10× faster than one ldapts add per entry. */
export function ldapAdd(server: OpenLdapServer, ldif: string): void {
  const file = join(server.dir, `seed-${Date.now()}-${Math.random().toString(36).slice(2)}.ldif`);
  writeFileSync(file, ldif);
  try {
    execFileSync('ldapadd', ['-x', '-H', server.url, '-D', server.adminDn, '-w', server.adminPassword, '-f', file],
      { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  } finally {
    rmSync(file, { force: true });
  }
}

/** Adds N users (uid=userNNNNNN,ou=people) and returns their DNs. */
export async function seedGenericUsers(server: OpenLdapServer, count: number, options: { ou?: string; start?: number } = {}): Promise<string[]> {
  const ldif = genericUsersLdif(count, options);
  ldapAdd(server, ldif);
  return [...ldif.matchAll(/^dn: (.*)$/gm)].map((m) => m[1] ?? '');
}

/** A groupOfNames with the given member DNs (groupOfNames needs at least one member). */
export async function addGroupOfNames(client: Client, dn: string, members: string[]): Promise<void> {
  const cn = /^cn=([^,]+)/i.exec(dn)?.[1] ?? 'group';
  await client.add(dn, { objectClass: ['groupOfNames'], cn, member: members });
}

export { Attribute, Change };
