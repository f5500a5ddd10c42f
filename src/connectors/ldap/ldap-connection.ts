/**
 * A bound LDAP session to the first server of an ordered list that answers, with failover.
 *
 * - Transport security: `ldaps://` (RFC 4513 §3.1.3 TLS from the start) or `ldap://` + StartTLS (RFC 4511
 *   §4.14.1, extended operation 1.3.6.1.4.1.1466.20037). The server certificate is verified against `caFile`/`ca`
 *   (or the system store) and its name checked against the URL host (`tlsServerName` overrides) — never silently
 *   skipped; `rejectUnauthorized: false` exists for diagnostics only.
 * - Failover: URLs are tried in order. A server that refuses the connection, does not connect within
 *   `connectTimeoutMs` or does not answer the bind within `operationTimeoutMs` is skipped; bad credentials and TLS
 *   verification failures are not (another DC of the same domain will say the same, and hammering DCs with a
 *   wrong password locks the account out). `run()` re-runs an operation once on the next server when the current
 *   one stops answering mid-way.
 * - ldapts multiplexes requests on one socket, so one session serves concurrent searches.
 *
 * Invariant: the password is only ever passed to ldapts' bind; it is not kept on `this` in a form that
 * serialises (a private closure), and no message includes it.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, type Control, type SearchOptions, type SearchResult } from 'ldapts';
import { CloudsyncError } from '../../errors/index.ts';
import { isRetryable, toLdapError } from './ldap-errors.ts';
import { installContentSyncParsing } from './content-sync.ts';
import { installSearchEntryDecoding } from './search-entry-decoding.ts';

export interface LdapConnectionOptions {
  /** Ordered list of ldap:// or ldaps:// URLs (proto://host[:port]); the first that answers is used. */
  readonly urls: readonly string[];
  readonly bindDn: string;
  readonly bindPassword: string;
  /** Upgrade ldap:// connections with StartTLS before binding (default false; ldaps:// is always TLS). */
  readonly startTls?: boolean;
  /** PEM file of the CA(s) that issued the servers' certificates. Default: Node's bundled CAs. */
  readonly caFile?: string;
  /** PEM text, alternative to caFile. */
  readonly ca?: string;
  /** The name to verify the certificate against, when it differs from the URL host. */
  readonly tlsServerName?: string;
  /** Default true. False disables certificate verification: diagnostics only. */
  readonly rejectUnauthorized?: boolean;
  /** Milliseconds to establish TCP (+TLS) to one server (default 5,000). */
  readonly connectTimeoutMs?: number;
  /** Milliseconds one LDAP operation may take before the server is considered gone (default 120,000; 0: no limit). */
  readonly operationTimeoutMs?: number;
  /**
   * Milliseconds StartTLS and the bind may take on a new connection (default: operationTimeoutMs, or 120,000 when
   * that is 0; never unlimited). A connection whose operations never time out — the persisting search of RFC 4533
   * refreshAndPersist — still gives up on a server that accepts TCP and never answers, and fails over.
   */
  readonly bindTimeoutMs?: number;
}

const DEFAULT_OPERATION_TIMEOUT_MS = 120_000;
/** A timeout that limits something (0 and below: none given). */
const positive = (ms: number | undefined): number | undefined => (ms !== undefined && ms > 0 ? ms : undefined);

export interface RootDse {
  readonly defaultNamingContext?: string;
  readonly namingContexts: readonly string[];
  readonly supportedControls: ReadonlySet<string>;
  readonly subschemaSubentry?: string;
  readonly highestCommittedUSN?: bigint;
  readonly contextCSN?: readonly string[];
  readonly isActiveDirectory: boolean;
}

export class LdapConnection {
  readonly #options: LdapConnectionOptions;
  readonly #ca: string | undefined;
  readonly #bind: (client: Client) => Promise<void>;
  #client: Client | undefined;
  #parsesContentSync = true;
  #connecting: Promise<Client> | undefined;
  #urlIndex = 0;
  #closed = false;

  constructor(options: LdapConnectionOptions) {
    if (!Array.isArray(options.urls) || options.urls.length === 0) throw new TypeError('LdapConnectionOptions.urls must list at least one URL');
    for (const [i, url] of options.urls.entries()) {
      let parsed: URL;
      try { parsed = new URL(url); } catch {
        throw new CloudsyncError('ERR_CONFIG_INVALID', `urls[${i}] is not a URL: ${JSON.stringify(url)}`, { path: `urls[${i}]` });
      }
      if (parsed.protocol !== 'ldap:' && parsed.protocol !== 'ldaps:') {
        throw new CloudsyncError('ERR_CONFIG_INVALID', `urls[${i}] must start with ldap:// or ldaps://, got ${JSON.stringify(url)}`, { path: `urls[${i}]` });
      }
    }
    this.#options = options;
    if (options.caFile !== undefined) {
      try {
        this.#ca = readFileSync(options.caFile, 'utf8');
      } catch (error) {
        throw new CloudsyncError('ERR_CONFIG_INVALID', `caFile ${options.caFile} cannot be read (${(error as Error).message})`, { path: 'caFile', cause: error });
      }
    } else {
      this.#ca = options.ca;
    }
    const { bindDn } = options;
    const password = options.bindPassword;
    this.#bind = async (client) => { await client.bind(bindDn, password); };
  }

  /** The URL of the server currently in use (or about to be tried). */
  get currentUrl(): string {
    return this.#options.urls[this.#urlIndex] ?? '';
  }

  #tlsOptions(url: URL): ConnectionOptions {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const servername = this.#options.tlsServerName ?? (isIP(host) ? undefined : host);
    const checkName = this.#options.tlsServerName ?? host;
    return {
      ...(this.#ca === undefined ? {} : { ca: this.#ca }),
      ...(servername === undefined ? {} : { servername }),
      host: checkName,
      rejectUnauthorized: this.#options.rejectUnauthorized ?? true,
      minVersion: 'TLSv1.2',
    };
  }

  async #connectTo(urlText: string): Promise<Client> {
    const url = new URL(urlText);
    const secure = url.protocol === 'ldaps:';
    const client = new Client({
      url: `${url.protocol}//${url.host}`,
      connectTimeout: this.#options.connectTimeoutMs ?? 5000,
      timeout: this.#options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS,
      // AD's extended DN forms (<GUID=…>, <SID=…>) are valid search bases that RFC 4514 parsing rejects.
      strictDN: false,
      ...(secure ? { tlsOptions: this.#tlsOptions(url) } : {}),
    });
    installSearchEntryDecoding(client);
    // after the entry decoding: it wraps that hook and hands it every message but content synchronization's
    if (!installContentSyncParsing(client)) this.#parsesContentSync = false;
    const setup = async () => {
      if (!secure && this.#options.startTls) {
        try {
          await client.startTLS(this.#tlsOptions(url));
        } catch (error) {
          const mapped = toLdapError(error, `StartTLS with ${urlText}`);
          // A server that answers StartTLS with an LDAP error is reachable but refuses TLS: that is a TLS problem.
          throw mapped.code === 'ERR_LDAP_PROTOCOL' ? new CloudsyncError('ERR_LDAP_TLS', mapped.message, { cause: error, details: { retryable: false } }) : mapped;
        }
      }
      try {
        await this.#bind(client);
      } catch (error) {
        throw toLdapError(error, `binding to ${urlText} as ${this.#options.bindDn}`);
      }
    };
    const bindTimeoutMs = positive(this.#options.bindTimeoutMs) ?? positive(this.#options.operationTimeoutMs) ?? DEFAULT_OPERATION_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const settingUp = setup();
    try {
      await Promise.race([settingUp, new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CloudsyncError('ERR_LDAP_UNREACHABLE', `binding to ${urlText} as ${this.#options.bindDn}: the server accepted the connection but did not answer within ${bindTimeoutMs} ms`, {
          details: { retryable: true },
        })), bindTimeoutMs);
      })]);
      return client;
    } catch (error) {
      // given up on: the socket goes, and the bind it leaves pending fails with it, unheard
      settingUp.catch(() => undefined);
      await client.unbind().catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A bound client, connecting (with failover) if needed. */
  async client(): Promise<Client> {
    if (this.#closed) throw new TypeError('LdapConnection is closed');
    if (this.#client?.isConnected) return this.#client;
    this.#client = undefined;
    this.#connecting ??= this.#connectWithFailover().finally(() => { this.#connecting = undefined; });
    this.#client = await this.#connecting;
    return this.#client;
  }

  async #connectWithFailover(): Promise<Client> {
    const { urls } = this.#options;
    const failures: string[] = [];
    let last: CloudsyncError | undefined;
    for (let attempt = 0; attempt < urls.length; attempt++) {
      const index = (this.#urlIndex + attempt) % urls.length;
      const url = urls[index]!;
      try {
        const client = await this.#connectTo(url);
        this.#urlIndex = index;
        return client;
      } catch (error) {
        const mapped = toLdapError(error, `connecting to ${url}`);
        if (!isRetryable(mapped)) throw mapped;
        failures.push(mapped.message);
        last = mapped;
      }
    }
    // Next time, start from the server after the one that failed last.
    this.#urlIndex = (this.#urlIndex + 1) % urls.length;
    throw new CloudsyncError('ERR_LDAP_UNREACHABLE', `no LDAP server answered (${failures.join('; ')})`, {
      cause: last,
      details: { retryable: true, urls: [...urls] },
    });
  }

  /** Drops the current server so the next operation fails over to the next URL. */
  async failover(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#urlIndex = (this.#urlIndex + 1) % this.#options.urls.length;
    await client?.unbind().catch(() => undefined);
  }

  /**
   * Runs one self-contained operation; when the server stops answering it fails over and runs it again, at most
   * once per URL. Operations that carry server-side state (paged cookies) must not use this across pages.
   */
  async run<T>(what: string, operation: (client: Client) => Promise<T>): Promise<T> {
    let lastError: CloudsyncError | undefined;
    for (let attempt = 0; attempt < this.#options.urls.length; attempt++) {
      const client = await this.client();
      try {
        return await operation(client);
      } catch (error) {
        const mapped = toLdapError(error, what);
        if (mapped.code !== 'ERR_LDAP_UNREACHABLE') throw mapped;
        lastError = mapped;
        await this.failover();
      }
    }
    throw lastError ?? new CloudsyncError('ERR_LDAP_UNREACHABLE', `${what}: no server answered`, { details: { retryable: true } });
  }

  /** Every client of this connection can parse RFC 4533 content synchronization (content-sync.ts). */
  get parsesContentSync(): boolean {
    return this.#parsesContentSync;
  }

  async search(base: string, options: SearchOptions, controls?: Control | Control[]): Promise<SearchResult> {
    return await this.run(`searching ${base}`, (client) => client.search(base, options, controls));
  }

  async readRootDse(): Promise<RootDse> {
    const { searchEntries } = await this.search('', {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: ['defaultNamingContext', 'namingContexts', 'supportedControl', 'subschemaSubentry', 'highestCommittedUSN',
        'contextCSN', 'supportedCapabilities', 'rootDomainNamingContext'],
    });
    const entry = searchEntries[0] ?? { dn: '' };
    const list = (name: string): string[] => {
      const value = entry[name];
      if (value === undefined) return [];
      return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
    };
    const usn = list('highestCommittedUSN')[0];
    const capabilities = list('supportedCapabilities');
    return {
      ...(list('defaultNamingContext')[0] === undefined ? {} : { defaultNamingContext: list('defaultNamingContext')[0]! }),
      namingContexts: list('namingContexts'),
      supportedControls: new Set(list('supportedControl')),
      ...(list('subschemaSubentry')[0] === undefined ? {} : { subschemaSubentry: list('subschemaSubentry')[0]! }),
      ...(usn === undefined ? {} : { highestCommittedUSN: BigInt(usn) }),
      contextCSN: list('contextCSN'),
      // MS-ADTS 3.1.1.3.2.10: LDAP_CAP_ACTIVE_DIRECTORY_OID in supportedCapabilities.
      isActiveDirectory: capabilities.includes('1.2.840.113556.1.4.800'),
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    await client?.unbind().catch(() => undefined);
  }
}
