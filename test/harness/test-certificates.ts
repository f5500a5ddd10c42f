/**
 * Throwaway PKI for TLS tests: a CA, a server certificate it signed (with the subjectAltNames clients verify
 * against — connecting by IP needs an IP SAN), and an unrelated CA to prove a wrong trust anchor is rejected.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly otherCaFile: string;
}

export function issueCertificates(
  dir: string,
  options: { readonly commonName: string; readonly subjectAltNames: readonly string[]; readonly keyType: 'ec' | 'rsa' },
): TestCertificates {
  mkdirSync(dir, { recursive: true });
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const key = options.keyType === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  const days = '30';
  run('req', '-x509', ...key, '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', days,
    '-subj', '/O=cloudsync tests/CN=cloudsync test CA', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  run('req', ...key, '-nodes', '-keyout', 'key.pem', '-out', 'server.csr', '-subj', `/O=cloudsync tests/CN=${options.commonName}`);
  writeFileSync(join(dir, 'ext.cnf'),
    `subjectAltName=${options.subjectAltNames.join(',')}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'cert.pem',
    '-days', days, '-extfile', 'ext.cnf');
  run('req', '-x509', ...key, '-nodes', '-keyout', 'other-ca-key.pem', '-out', 'other-ca.pem', '-days', days,
    '-subj', '/O=somebody else/CN=unrelated CA');
  return { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem'), otherCaFile: join(dir, 'other-ca.pem') };
}
