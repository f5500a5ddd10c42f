/**
 * The embedded agent: the source connector of one on-premises domain, run inside the service process (Entra runs
 * a provisioning agent on a domain-joined server instead). `cloudsync server --embedded-agent --domain D` with
 * either an LDIF export (--ldif) or a directory over LDAP (--ldap-url, --bind-dn, --bind-password-file,
 * --ca-file). Everything is checked before the service starts, each problem as one line that says what to do.
 * The bind password is read from a file (mode 0600) and only ever handed to the LDAP connection.
 *
 * Which LDAP connector: `--source-type ad` (the default: Cloud Sync is about Active Directory; DirSync deltas,
 * objectGUID anchors, the AD2AADProvisioning template) or `--source-type ldap` (OpenLDAP, 389-DS…: entryUUID
 * anchors, entryCSN/modifyTimestamp deltas; its jobs use the LDAP2AADProvisioning template) with `--base-dn`,
 * the subtree to read. The type is a flag rather than detected from the rootDSE at startup because the service
 * must start (and say what it will serve) while the directory is unreachable, and because a wrong guess would
 * change every anchor: that is a decision for the operator, made once.
 */
import { access, constants, readFile, stat } from 'node:fs/promises';
import { ldapSourceConnector } from '../connectors/ldap/threaded-import.ts';
import { LdifConnector } from '../connectors/ldif/ldif-connector.ts';
import type { EngineSource } from '../engine/index.ts';
import { CloudsyncError } from '../errors/index.ts';

export interface EmbeddedAgentFlags {
  readonly embeddedAgent?: boolean;
  readonly domain?: string;
  readonly ldif?: string;
  readonly ldapUrl?: string;
  readonly bindDn?: string;
  readonly bindPasswordFile?: string;
  readonly caFile?: string;
  readonly sourceType?: string;
  readonly baseDn?: string;
}

/** The LDAP connectors the embedded agent can run (`--source-type`). */
export const SOURCE_TYPES = ['ad', 'ldap'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

/**
 * AD answers a request for `member` with at most MaxValRange (1,500) values and a `member;range=0-1499` marker;
 * Samba sends every value. The agent asks in explicit ranges of that size, so a large group is read the same
 * way (range by range, MS-ADTS 3.1.1.3.1.3.3) from either.
 */
const AD_MEMBER_RANGE_SIZE = 1500;

export interface EmbeddedAgent {
  readonly domain: string;
  readonly netBiosName: string;
  readonly source: EngineSource;
  /** What the agent reads, without credentials (for the startup line). */
  readonly description: string;
  close(): Promise<void>;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/i;

function usage(message: string, path: string): CloudsyncError {
  return new CloudsyncError('ERR_CLI_USAGE', message, { path });
}

async function readableFile(file: string, flag: string): Promise<void> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new CloudsyncError('ERR_CONFIG_INVALID', `${flag} ${file}: ${error.code === 'ENOENT' ? 'no such file' : `cannot read it (${error.code})`}`, { path: flag });
  });
  if (!info.isFile()) throw new CloudsyncError('ERR_CONFIG_INVALID', `${flag} ${file}: not a file`, { path: flag });
  await access(file, constants.R_OK).catch((error: NodeJS.ErrnoException) => {
    throw new CloudsyncError('ERR_CONFIG_INVALID', `${flag} ${file}: cannot read it (${error.code})`, { path: flag });
  });
}

export function parseLdapUrls(text: string): readonly string[] {
  const urls = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (urls.length === 0) throw usage('--ldap-url needs at least one ldap:// or ldaps:// URL', '--ldap-url');
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw usage(`--ldap-url ${url}: not a URL; expected ldap://host[:port] or ldaps://host[:port]`, '--ldap-url');
    }
    if ((parsed.protocol !== 'ldap:' && parsed.protocol !== 'ldaps:') || parsed.hostname === '' || (parsed.pathname !== '' && parsed.pathname !== '/') ||
      parsed.search !== '' || parsed.username !== '' || parsed.password !== '') {
      throw usage(`--ldap-url ${url}: expected ldap://host[:port] or ldaps://host[:port] (no path, query or credentials)`, '--ldap-url');
    }
  }
  return urls;
}

/** undefined when --embedded-agent is not given (and none of its flags are). */
export async function embeddedAgentFromFlags(flags: EmbeddedAgentFlags): Promise<EmbeddedAgent | undefined> {
  const ldapFlags = ([['--ldap-url', flags.ldapUrl], ['--bind-dn', flags.bindDn], ['--bind-password-file', flags.bindPasswordFile], ['--ca-file', flags.caFile],
    ['--source-type', flags.sourceType], ['--base-dn', flags.baseDn]] as const)
    .filter(([, value]) => value !== undefined)
    .map(([flag]) => flag);
  if (flags.embeddedAgent !== true) {
    const stray = [...(flags.domain === undefined ? [] : ['--domain']), ...(flags.ldif === undefined ? [] : ['--ldif']), ...ldapFlags];
    if (stray.length > 0) throw usage(`${stray.join(', ')} configure the embedded agent; add --embedded-agent`, stray[0]!);
    return undefined;
  }
  if (flags.domain === undefined) throw usage('--embedded-agent needs --domain, the on-premises AD domain it serves (e.g. corp.example.com)', '--domain');
  const domain = flags.domain.toLowerCase();
  if (!DOMAIN.test(domain)) throw usage(`--domain ${flags.domain}: not a DNS domain name (e.g. corp.example.com)`, '--domain');
  const netBiosName = domain.split('.')[0]!.toUpperCase().slice(0, 15);

  if (flags.ldif !== undefined) {
    if (ldapFlags.length > 0) throw usage(`--ldif reads an export file; ${ldapFlags.join(', ')} are for --ldap-url: give one source or the other`, ldapFlags[0]!);
    await readableFile(flags.ldif, '--ldif');
    const source = new LdifConnector({ file: flags.ldif });
    return { domain, netBiosName, source, description: `LDIF ${flags.ldif}`, close: () => source.close() };
  }
  if (flags.ldapUrl === undefined) throw usage('--embedded-agent needs a source: --ldif FILE, or --ldap-url URL --bind-dn DN --bind-password-file FILE', '--ldif');
  const urls = parseLdapUrls(flags.ldapUrl);
  const sourceType = (flags.sourceType ?? 'ad').toLowerCase();
  if (!(SOURCE_TYPES as readonly string[]).includes(sourceType)) {
    throw usage(`--source-type ${flags.sourceType}: expected ${SOURCE_TYPES.join(' or ')} (ad: Active Directory with DirSync; ldap: OpenLDAP and other generic LDAP servers)`, '--source-type');
  }
  if (sourceType === 'ldap' && (flags.baseDn === undefined || flags.baseDn.trim() === '')) {
    throw usage('--source-type ldap needs --base-dn, the subtree to read (e.g. dc=example,dc=org)', '--base-dn');
  }
  if (sourceType === 'ad' && flags.baseDn !== undefined) {
    throw usage('--base-dn is for --source-type ldap; Active Directory is read from its domain naming context (the rootDSE says which)', '--base-dn');
  }
  if (flags.bindDn === undefined || flags.bindDn.trim() === '') throw usage('--ldap-url needs --bind-dn, the account the agent binds as', '--bind-dn');
  if (flags.bindPasswordFile === undefined) throw usage('--ldap-url needs --bind-password-file, a file (mode 0600) holding the bind password', '--bind-password-file');
  await readableFile(flags.bindPasswordFile, '--bind-password-file');
  const mode = (await stat(flags.bindPasswordFile)).mode;
  if ((mode & 0o077) !== 0) {
    throw new CloudsyncError('ERR_CONFIG_INVALID',
      `--bind-password-file ${flags.bindPasswordFile} is readable by other users (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${flags.bindPasswordFile}`,
      { path: '--bind-password-file' });
  }
  const bindPassword = (await readFile(flags.bindPasswordFile, 'utf8')).replace(/\r?\n$/, '');
  if (bindPassword === '') throw new CloudsyncError('ERR_CONFIG_INVALID', `--bind-password-file ${flags.bindPasswordFile} is empty`, { path: '--bind-password-file' });
  if (flags.caFile !== undefined) await readableFile(flags.caFile, '--ca-file');
  const connection = { urls, bindDn: flags.bindDn, bindPassword, ...(flags.caFile === undefined ? {} : { caFile: flags.caFile }) };
  // Imports run in process (ldapSourceConnector's default): a thread of their own would parse on the second core,
  // but costs ~95 MB the service's 512 MB budget does not have (src/connectors/ldap/threaded-import.ts).
  if (sourceType === 'ldap') {
    const source = ldapSourceConnector({ kind: 'genericLdap', options: { ...connection, baseDn: flags.baseDn! } });
    return { domain, netBiosName, source, description: `LDAP directory at ${urls.join(', ')} (${flags.baseDn}) as ${flags.bindDn}`, close: () => source.close() };
  }
  const source = ldapSourceConnector({ kind: 'activeDirectory', options: { ...connection, memberRangeSize: AD_MEMBER_RANGE_SIZE } });
  return { domain, netBiosName, source, description: `Active Directory at ${urls.join(', ')} as ${flags.bindDn}`, close: () => source.close() };
}
