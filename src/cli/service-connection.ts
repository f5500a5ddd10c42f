import { readFile } from 'node:fs/promises';
import { CloudsyncError, type ErrorCode } from '../errors/index.ts';
import { credentialsFilePath, readCredentials, type StoredCredentials } from './credentials-file.ts';

/** Flags shared by every command that manages a running service. */
export interface ServiceFlags {
  readonly service?: string;
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly clientSecretFile?: string;
}

/**
 * Where credentials come from, first match wins per field: flags, then CLOUDSYNC_* environment variables,
 * then the file `cloudsync login` wrote. Mixing sources is allowed (e.g. URL from a flag, secret from the file)
 * because that is how scripts in CI tend to be written.
 */
export async function resolveServiceCredentials(
  flags: ServiceFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StoredCredentials> {
  const stored = await readCredentials(credentialsFilePath(env));
  let secretFromFile: string | undefined;
  if (flags.clientSecretFile !== undefined) {
    try {
      secretFromFile = (await readFile(flags.clientSecretFile, 'utf8')).trim();
    } catch (error) {
      throw new CloudsyncError(
        'ERR_CLI_FILE',
        `cannot read --client-secret-file ${flags.clientSecretFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
        { path: '--client-secret-file' },
      );
    }
  }
  const service = flags.service ?? env['CLOUDSYNC_SERVICE'] ?? stored?.service;
  const tenantId = flags.tenantId ?? env['CLOUDSYNC_TENANT_ID'] ?? stored?.tenantId;
  const clientId = flags.clientId ?? env['CLOUDSYNC_CLIENT_ID'] ?? stored?.clientId;
  const clientSecret = secretFromFile ?? env['CLOUDSYNC_CLIENT_SECRET'] ?? stored?.clientSecret;
  const missing = [
    service === undefined ? '--service (or CLOUDSYNC_SERVICE)' : undefined,
    tenantId === undefined ? '--tenant-id (or CLOUDSYNC_TENANT_ID)' : undefined,
    clientId === undefined ? '--client-id (or CLOUDSYNC_CLIENT_ID)' : undefined,
    clientSecret === undefined ? '--client-secret-file (or CLOUDSYNC_CLIENT_SECRET)' : undefined,
  ].filter((m) => m !== undefined);
  if (missing.length > 0) {
    throw new CloudsyncError(
      'ERR_CLI_CREDENTIALS_MISSING',
      `missing ${missing.join(', ')}; give them, or run cloudsync login once`,
    );
  }
  let url: URL;
  try {
    url = new URL(service!);
  } catch {
    throw new CloudsyncError('ERR_CLI_USAGE', `--service ${service} is not a URL (expected e.g. http://127.0.0.1:5480)`, {
      path: '--service',
    });
  }
  return { service: url.origin, tenantId: tenantId!, clientId: clientId!, clientSecret: clientSecret! };
}

/** The closest code of ours for an HTTP error status the service answered with. */
function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'ERR_AUTH_TOKEN_INVALID';
  if (status === 403) return 'ERR_AUTH_FORBIDDEN';
  if (status === 404) return 'ERR_HTTP_NOT_FOUND';
  if (status === 409) return 'ERR_STORE_CONFLICT';
  if (status === 413) return 'ERR_HTTP_PAYLOAD_TOO_LARGE';
  if (status >= 500) return 'ERR_CLI_SERVICE_UNREACHABLE';
  return 'ERR_HTTP_BAD_REQUEST';
}

/** A Graph-style error body, as the service answers. */
interface GraphErrorBody {
  error?: { code?: string; message?: string };
  error_description?: string;
}

/** An authenticated connection to a running service: fetches a token once, then calls /v1.0. */
export class ServiceConnection {
  readonly credentials: StoredCredentials;
  #token: string | undefined;

  constructor(credentials: StoredCredentials) {
    this.credentials = credentials;
  }

  async #fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new CloudsyncError('ERR_CLI_SERVICE_UNREACHABLE', `cannot reach ${this.credentials.service} (${cause})`);
    }
  }

  async token(): Promise<string> {
    if (this.#token !== undefined) return this.#token;
    const { service, tenantId, clientId, clientSecret } = this.credentials;
    const response = await this.#fetch(`${service}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
        scope: 'https://graph.microsoft.com/.default',
      }),
    });
    const body = (await response.json().catch(() => ({}))) as { access_token?: string } & GraphErrorBody;
    if (!response.ok || typeof body.access_token !== 'string') {
      throw new CloudsyncError(
        'ERR_AUTH_INVALID_CLIENT',
        `the service refused the client credentials for tenant ${tenantId}: ${body.error_description ?? response.statusText}`,
      );
    }
    this.#token = body.access_token;
    return this.#token;
  }

  /** Calls the API; a non-2xx answer becomes a CloudsyncError carrying the service's own message. */
  async request<T>(method: string, path: string, body?: unknown, headers: Readonly<Record<string, string>> = {}): Promise<T> {
    const response = await this.#fetch(`${this.credentials.service}${path}`, {
      method,
      headers: {
        ...headers,
        authorization: `Bearer ${await this.token()}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status === 204) return undefined as T;
    const parsed = (await response.json().catch(() => undefined)) as T & GraphErrorBody;
    if (!response.ok) {
      const message = parsed?.error?.message ?? response.statusText;
      // The service's own message already says what and where; the request line is kept short for context.
      throw new CloudsyncError(codeForStatus(response.status), `${message} (${method} ${path.split('?')[0]}: ${response.status}${parsed?.error?.code ? ` ${parsed.error.code}` : ''})`, {
        details: { status: response.status, ...(parsed?.error?.code ? { graphCode: parsed.error.code } : {}) },
      });
    }
    return parsed;
  }
}
