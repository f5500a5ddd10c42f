/**
 * Makes sure the Debian packages the tests start real servers from are installed.
 *
 * Run by `npm test` before anything else. As root it installs what is missing with apt-get; as anyone else
 * it stops with the exact command to run, because a half-provisioned machine gives confusing test failures.
 * Add a package here when a test starts to need it, with the reason.
 */
import { execFileSync, spawnSync } from 'node:child_process';

const PACKAGES = [
  { name: 'postgresql', why: 'store contract tests and Graph SDK tests on the PostgreSQL backend' },
  { name: 'samba', why: 'a throwaway Active Directory domain controller for LDAP connector tests' },
  { name: 'samba-ad-provision', why: 'the AD schema files samba-tool domain provision reads (not pulled in by samba with --no-install-recommends)' },
  { name: 'samba-dsdb-modules', why: 'the ldb modules of an AD DC (samba_secrets, samba_dsdb); without them provisioning fails' },
  { name: 'samba-vfs-modules', why: 'acl_xattr, which provisioning uses to set the sysvol ACLs' },
  { name: 'ldb-tools', why: 'ldbmodify: the Samba test harness enables the AD Recycle Bin in its template (SYSTEM-only over LDAP)' },
  { name: 'slapd', why: 'OpenLDAP, the generic LDAP source' },
  { name: 'openssl', why: 'throwaway TLS certificates: the Graph SDK only sends tokens to https hosts; LDAPS on OpenLDAP' },
  { name: 'ldap-utils', why: 'ldapsearch/ldapadd, used to seed OpenLDAP and as the benchmark baseline' },
  { name: 'dnsmasq-base', why: 'a throwaway DNS server serving TXT records, for the domain verification tests (POST /domains/{id}/verify)' },
] as const;

function isInstalled(name: string): boolean {
  const probe = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return probe.status === 0 && probe.stdout.includes('install ok installed');
}

const missing = PACKAGES.filter((p) => !isInstalled(p.name));
if (missing.length > 0) {
  const names = missing.map((p) => p.name);
  const command = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${names.join(' ')}`;
  if (process.getuid?.() !== 0) {
    process.stderr.write(
      `The tests need these Debian packages, which are not installed:\n` +
        missing.map((p) => `  ${p.name}: ${p.why}\n`).join('') +
        `Run as root:\n  ${command}\nthen run the tests again.\n`,
    );
    process.exit(1);
  }
  process.stderr.write(`Installing ${names.join(', ')} (needed by the tests)…\n`);
  // slapd's postinst would otherwise ask for an admin password; the tests configure their own slapd anyway.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
  // The packages start system-wide daemons on the standard ports; our tests run their own instances on free
  // loopback ports, and a system samba/slapd holding 389 only gets in the way of the benchmark baselines.
  for (const service of ['samba-ad-dc', 'smbd', 'nmbd', 'winbind', 'slapd']) {
    spawnSync('service', [service, 'stop'], { stdio: 'ignore' });
  }
}
