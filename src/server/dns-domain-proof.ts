/**
 * The DomainProof the service runs with (src/api/graph/domain-proof.ts): a TXT record at the domain's apex,
 * looked up in DNS when the tenant asks to verify.
 *
 * The record's text is `cloudsync-verification=` + base32(HMAC-SHA256(key, tenantId NUL domain)), cut to 160 bits.
 * - Deterministic: every node on one database derives the same key from the deployment's signing key (HKDF, its
 *   own info string, so it is unrelated to the key sealing synchronization secrets), so all answer the same record.
 * - Bound to the tenant: the record the real owner publishes for its tenant is public, but it proves nothing for
 *   another tenant, which cannot compute its own record for that domain without the key either.
 *
 * `createTrustingDomainProof` is the operator's opt-out for single-organization installs (`--trust-domain-claims`):
 * every client allowed to write the directory is then trusted to own any domain it names.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { DomainProof, DomainProofRecord } from '../api/graph/domain-proof.ts';
import { CloudsyncError } from '../errors/index.ts';

export const DOMAIN_PROOF_PREFIX = 'cloudsync-verification=';

/** 32 bytes keying the records, from a deployment secret (the signing key's private scalar). */
export function deriveDomainProofKey(deploymentSecret: string | Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', deploymentSecret, 'cloudsync', 'domain-verification v1', 32));
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 §6 base32, lower case, without padding: DNS-safe and case-insensitive to read aloud. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

export function expectedDomainRecord(key: Uint8Array, tenantId: string, domain: string): DomainProofRecord {
  if (key.length !== 32) throw new TypeError('the domain proof key must be 32 bytes');
  const name = domain.toLowerCase();
  const mac = createHmac('sha256', key).update(`${tenantId}\0${name}`).digest();
  return { label: name, text: DOMAIN_PROOF_PREFIX + base32(mac.subarray(0, 20)) };
}

/**
 * `IP` or `IP:PORT` (`[IPv6]:PORT` for IPv6 with a port), as Node's resolver takes it; anything else is a usage
 * error naming the flag.
 */
export function parseDnsServer(text: string, flag = '--dns-server'): string {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  const hostAndPort = bracketed ?? /^([^:]+)(?::(\d{1,5}))?$/.exec(text);
  const host = hostAndPort?.[1] ?? text;
  const port = hostAndPort?.[2];
  const ok = hostAndPort !== null ? isIP(host) !== 0 && (port === undefined || (Number(port) >= 1 && Number(port) <= 65535)) : isIP(text) === 6;
  if (!ok) {
    throw new CloudsyncError('ERR_CLI_USAGE', `${flag} ${text} is not a DNS server address: give an IP address, optionally with :PORT ([IPv6]:PORT)`, {
      path: flag,
    });
  }
  return text;
}

export interface DnsDomainProofOptions {
  /** deriveDomainProofKey(…) */
  readonly key: Uint8Array;
  /** Resolvers (parseDnsServer). Default: the system's, from /etc/resolv.conf. */
  readonly servers?: readonly string[];
  /** Longest a lookup may take, all tries included. Default 5000 ms. */
  readonly timeoutMs?: number;
}

/** Answers meaning "the name or its TXT records do not exist": the record is simply not published. */
const NOT_PUBLISHED = new Set(['ENOTFOUND', 'ENODATA']);

const REASONS: Readonly<Record<string, string>> = {
  ETIMEOUT: 'no DNS server answered in time',
  ECANCELLED: 'no DNS server answered in time',
  ECONNREFUSED: 'the DNS server refused the connection',
  EREFUSED: 'the DNS server refused the query',
  ESERVFAIL: 'the DNS server reported a failure (SERVFAIL)',
  EBADRESP: 'the DNS server sent a malformed answer',
};

export function createDnsDomainProof(options: DnsDomainProofOptions): DomainProof {
  const timeoutMs = options.timeoutMs ?? 5000;
  const servers = options.servers?.map((server) => parseDnsServer(server));
  const expectedRecord = (tenantId: string, domain: string): DomainProofRecord => expectedDomainRecord(options.key, tenantId, domain);
  return {
    expectedRecord,
    async isPublished(tenantId, domain) {
      const record = expectedRecord(tenantId, domain);
      // One resolver per lookup, so the deadline can cancel exactly this lookup's queries.
      const resolver = new Resolver({ timeout: Math.max(100, Math.floor(timeoutMs / 2)), tries: 2 });
      if (servers !== undefined && servers.length > 0) resolver.setServers(servers);
      const deadline = setTimeout(() => resolver.cancel(), timeoutMs);
      try {
        const found = await resolver.resolveTxt(record.label);
        // A TXT record is a list of strings of at most 255 bytes each; the text is their concatenation (RFC 7208 §3.3).
        return found.some((chunks) => chunks.join('') === record.text);
      } catch (error) {
        const code = String((error as NodeJS.ErrnoException).code);
        if (NOT_PUBLISHED.has(code)) return false;
        throw new CloudsyncError(
          'ERR_DNS_UNAVAILABLE',
          `DNS could not be asked for the TXT records of ${record.label}: ${REASONS[code] ?? `the lookup failed (${code})`}. Nothing was changed; try again later, or ask the service's operator to check its DNS servers.`,
          { path: 'id', cause: error, details: { value: record.label, dnsError: code } },
        );
      } finally {
        clearTimeout(deadline);
      }
    },
  };
}

/** `--trust-domain-claims`: the records are still shown, but nothing is looked up and every claim is accepted. */
export function createTrustingDomainProof(key: Uint8Array): DomainProof {
  return {
    expectedRecord: (tenantId, domain) => expectedDomainRecord(key, tenantId, domain),
    isPublished: async () => true,
  };
}
