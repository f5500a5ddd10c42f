/**
 * A throwaway self-signed certificate for 127.0.0.1, made with the system's openssl, trusted by this process's
 * TLS (and so by fetch) through tls.setDefaultCACertificates.
 *
 * Why TLS in tests at all: Microsoft's Graph SDK adds the Authorization header only to https:// URLs whose host
 * is Graph's or listed in `customHosts` (GraphRequestUtil.isValidEndpoint); a plain-http server would receive
 * no token from it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

export interface TestCertificate {
  readonly key: string;
  readonly cert: string;
}

let cached: TestCertificate | undefined;

export function loopbackCertificate(): TestCertificate {
  if (cached !== undefined) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'cloudsync-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'pipe' });
    cached = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), cached.cert]);
  return cached;
}
