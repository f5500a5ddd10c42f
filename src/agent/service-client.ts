/**
 * The agent's HTTP(S) client for the channel: JSON POSTs, gzip request bodies, a timeout per call, and TLS verified
 * against the system's CAs (plus NODE_EXTRA_CA_CERTS, plus `--service-ca-file`) whenever the service URL is https.
 * There is no option to skip verification: an agent that would talk to anyone would hand its directory to anyone.
 *
 * Answers are classified for the caller: `ok`, `refused` (the service said no: 4xx with its error code), or a thrown
 * ERR_AGENT_UNAVAILABLE for everything that is worth retrying (network, 5xx, timeouts).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { CloudsyncError } from '../errors/index.ts';
import { CHANNEL_PREFIX } from '../agent-channel/channel-protocol.ts';

const deflate = promisify(gzip);

/** Bodies above this are gzipped; below it compression costs more than it saves. */
const GZIP_ABOVE_BYTES = 1024;

export type ServiceAnswer =
  | { readonly kind: 'ok'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'refused'; readonly status: number; readonly code: string; readonly message: string };

export interface ServiceClientOptions {
  /** https://service.example.com (no path). */
  readonly service: string;
  /** Extra PEM CA certificate(s) to trust for the service. */
  readonly ca?: string | Buffer;
}

export class ServiceClient {
  readonly #url: URL;
  readonly #ca: string | Buffer | undefined;

  constructor(options: ServiceClientOptions) {
    let url: URL;
    try {
      url = new URL(options.service);
    } catch {
      throw new CloudsyncError('ERR_CLI_USAGE', `--service ${options.service}: not a URL (expected https://host[:port])`, { path: '--service' });
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '' || url.search !== '') {
      throw new CloudsyncError('ERR_CLI_USAGE', `--service ${options.service}: expected https://host[:port] (http:// only on a trusted network)`, { path: '--service' });
    }
    this.#url = url;
    this.#ca = options.ca;
  }

  get origin(): string {
    return this.#url.origin;
  }

  async post(path: string, body: unknown, options: { readonly assertion?: string; readonly timeoutMs: number; readonly signal?: AbortSignal }): Promise<ServiceAnswer> {
    const json = Buffer.from(JSON.stringify(body), 'utf8');
    const compressed = json.length > GZIP_ABOVE_BYTES;
    // Level 1: most of gzip's gain on repetitive JSON at a fraction of its CPU (the agent may share a DC's cores).
    const payload = compressed ? await deflate(json, { level: 1 }) : json;
    const target = new URL(`${this.#url.pathname.replace(/\/$/, '')}${CHANNEL_PREFIX}${path}`, this.#url);
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return await new Promise<ServiceAnswer>((resolve, reject) => {
      const unavailable = (reason: string): void => reject(new CloudsyncError('ERR_AGENT_UNAVAILABLE', `service ${this.#url.origin} unreachable: ${reason}`));
      const req = request(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': payload.length,
          ...(compressed ? { 'content-encoding': 'gzip' } : {}),
          ...(options.assertion === undefined ? {} : { authorization: `Bearer ${options.assertion}` }),
        },
        timeout: options.timeoutMs,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(this.#ca === undefined ? {} : { ca: this.#ca }),
      }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => unavailable(error.message));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text === '' ? undefined : JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          if (status >= 200 && status < 300) return resolve({ kind: 'ok', status, body: parsed });
          if (status >= 500 || status === 0) return unavailable(`HTTP ${status}`);
          const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
          resolve({
            kind: 'refused',
            status,
            code: typeof error?.code === 'string' ? error.code : `HTTP${status}`,
            message: typeof error?.message === 'string' ? error.message : `HTTP ${status}`,
          });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (options.signal?.aborted === true) return reject(options.signal.reason);
        const tls = error.code !== undefined && /CERT|SSL|TLS|SELF_SIGNED/.test(error.code);
        unavailable(tls ? `TLS: ${error.code} (the service's certificate is not trusted; give its CA with --service-ca-file)` : (error.code ?? error.message));
      });
      req.end(payload);
    });
  }
}
