/**
 * The embedded agent: the source connector of one on-premises domain, run inside the service process (Entra runs
 * a provisioning agent on a domain-joined server instead). `cloudsync server --embedded-agent --domain D` with
 * either an LDIF export (--ldif) or Active Directory over LDAP (--ldap-url, --bind-dn, --bind-password-file,
 * --ca-file). Everything is checked before the service starts, each problem as one line that says what to do.
 * The bind password is read from a file (mode 0600) and only ever handed to the LDAP connection.
 */
import { access, constants, readFile, stat } from 'node:fs/promises';
import { ActiveDirectoryConnector } from '../connectors/ldap/active-directory-connector.ts';
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
}

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
  const ldapFlags = ([['--ldap-url', flags.ldapUrl], ['--bind-dn', flags.bindDn], ['--bind-password-file', flags.bindPasswordFile], ['--ca-file', flags.caFile]] as const)
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
  const source = new ActiveDirectoryConnector({ urls, bindDn: flags.bindDn, bindPassword, ...(flags.caFile === undefined ? {} : { caFile: flags.caFile }) });
  return { domain, netBiosName, source, description: `Active Directory at ${urls.join(', ')} as ${flags.bindDn}`, close: () => source.close() };
}
