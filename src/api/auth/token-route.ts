/**
 * The OAuth 2.0 token endpoint, client credentials grant only: `POST /{tenantId}/oauth2/v2.0/token`.
 *
 * RFC 6749 §4.4.2:
 *   "The client makes a request to the token endpoint by adding the following parameters using the
 *    "application/x-www-form-urlencoded" format … grant_type REQUIRED. Value MUST be set to
 *    "client_credentials". scope OPTIONAL. … The client MUST authenticate with the authorization server"
 * RFC 6749 §2.3.1: client_id/client_secret in the body, or HTTP Basic; "The client MUST NOT use more than one
 *   authentication method in each request."
 * RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once."
 * RFC 6749 §5.1: the response carries access_token, token_type, expires_in and "Cache-Control: no-store".
 *
 * Like Entra's v2.0 endpoint, `scope` is required and must be a resource's `/.default`: Graph's
 * (`https://graph.microsoft.com/.default`) or this service's own URL. Unknown tenant, unknown client and wrong
 * secret all answer the same invalid_client, so the endpoint reveals nothing about which exist.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CloudsyncError } from '../../errors/index.ts';
import type { CloudDirectory } from '../../directory/cloud-directory.ts';
import { GRAPH_RESOURCE, issueAccessToken, issuerFor, type KeyPair } from './access-token.ts';
import { baseUrlOf } from '../base-url.ts';
import { FailedAttemptLimiter } from './failed-attempt-limiter.ts';

export interface TokenRouteOptions {
  readonly credentials: Pick<CloudDirectory, 'verifyClientCredentials'>;
  readonly key: () => Promise<KeyPair>;
  readonly clock: () => Date;
  readonly publicUrl: string | undefined;
}

/** Graph's well-known application id, which Entra also accepts as the resource of `.default`. */
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

type Form = Readonly<Record<string, string>>;

function parseForm(body: string): Form {
  const form: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    if (Object.hasOwn(form, name)) {
      throw new CloudsyncError('ERR_HTTP_BAD_REQUEST', `The parameter '${name}' is included more than once (RFC 6749 §3.2).`);
    }
    form[name] = value;
  }
  return form;
}

function basicCredentials(request: FastifyRequest): { clientId: string; clientSecret: string } | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  if (!match) throw new CloudsyncError('ERR_AUTH_INVALID_CLIENT', 'Client authentication failed: unsupported Authorization header; use Basic or the form parameters.');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new CloudsyncError('ERR_AUTH_INVALID_CLIENT', 'Client authentication failed: malformed Basic credentials.');
  // RFC 6749 §2.3.1: both are form-urlencoded before being put in the Basic header.
  const unescape = (text: string) => decodeURIComponent(text.replaceAll('+', ' '));
  try {
    return { clientId: unescape(decoded.slice(0, colon)), clientSecret: unescape(decoded.slice(colon + 1)) };
  } catch {
    throw new CloudsyncError('ERR_AUTH_INVALID_CLIENT', 'Client authentication failed: malformed Basic credentials.');
  }
}

/** The audience a `.default` scope asks for, or an invalid_scope error. */
function audienceOf(scope: string | undefined, base: string): string {
  if (scope === undefined || scope.trim() === '') {
    throw new CloudsyncError('ERR_AUTH_INVALID_SCOPE', `The 'scope' parameter is required; use '${GRAPH_RESOURCE}/.default'.`);
  }
  const scopes = scope.trim().split(/ +/);
  if (scopes.length !== 1) {
    throw new CloudsyncError('ERR_AUTH_INVALID_SCOPE', `The client credentials grant takes exactly one scope, '<resource>/.default'; got ${scopes.length}.`);
  }
  const value = scopes[0]!.replace(/\/+\.default$/, '/.default');
  if (value === `${GRAPH_RESOURCE}/.default` || value === `${GRAPH_APP_ID}/.default`) return GRAPH_RESOURCE;
  if (value === `${base}/.default`) return base;
  throw new CloudsyncError('ERR_AUTH_INVALID_SCOPE', `The scope '${scopes[0]}' is not valid; use '${GRAPH_RESOURCE}/.default' or '${base}/.default'.`);
}

/**
 * Failed authentications allowed per minute: per client id (a guessing attack on one application) and per
 * source address (spraying many client ids). Generous enough for a misconfigured script to log its errors.
 */
const FAILURES_PER_CLIENT = 20;
const FAILURES_PER_ADDRESS = 60;
const FAILURE_WINDOW_MS = 60_000;

/**
 * A client credentials form is a few hundred bytes. The limiters remember failed client ids for a minute (and
 * until 10,000 are held), so accepting the service-wide 1 MiB here let one address pin ~60 MB a minute of
 * unauthenticated input in memory.
 */
const TOKEN_BODY_LIMIT = 16 * 1024;
const MAX_TENANT_ID_LENGTH = 64;
const MAX_CLIENT_ID_LENGTH = 128;
const MAX_CLIENT_SECRET_LENGTH = 512;

export async function tokenRoutes(app: FastifyInstance, options: TokenRouteOptions): Promise<void> {
  const byClient = new FailedAttemptLimiter({ limit: FAILURES_PER_CLIENT, windowMs: FAILURE_WINDOW_MS, clock: options.clock });
  const byAddress = new FailedAttemptLimiter({ limit: FAILURES_PER_ADDRESS, windowMs: FAILURE_WINDOW_MS, clock: options.clock });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseForm(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.post<{ Params: { tenantId: string } }>(
    '/:tenantId/oauth2/v2.0/token',
    { config: { errorShape: 'oauth' }, bodyLimit: TOKEN_BODY_LIMIT },
    async function issueToken(request, reply) {
      const form = request.body as Form | undefined;
      if (form === undefined || typeof form !== 'object') {
        throw new CloudsyncError('ERR_HTTP_UNSUPPORTED_MEDIA_TYPE', 'The request body must be application/x-www-form-urlencoded (RFC 6749 §4.4.2).');
      }
      const grantType = form['grant_type'];
      if (grantType === undefined) throw new CloudsyncError('ERR_HTTP_BAD_REQUEST', "The request body must contain the 'grant_type' parameter.");
      if (grantType !== 'client_credentials') {
        throw new CloudsyncError('ERR_AUTH_UNSUPPORTED_GRANT_TYPE', `The grant type '${grantType}' is not supported; this service issues tokens for 'client_credentials' only.`);
      }
      const basic = basicCredentials(request);
      const inBody = form['client_id'] !== undefined || form['client_secret'] !== undefined;
      if (basic !== undefined && inBody) {
        throw new CloudsyncError('ERR_HTTP_BAD_REQUEST', 'Use one client authentication method: either HTTP Basic or client_id/client_secret in the body (RFC 6749 §2.3.1).');
      }
      const clientId = basic?.clientId ?? form['client_id'];
      const clientSecret = basic?.clientSecret ?? form['client_secret'];
      if (clientId === undefined || clientId === '') throw new CloudsyncError('ERR_HTTP_BAD_REQUEST', "The request body must contain the 'client_id' parameter.");
      if (clientSecret === undefined || clientSecret === '') {
        throw new CloudsyncError('ERR_AUTH_INVALID_CLIENT', "Client authentication failed: the request must contain 'client_secret' (or HTTP Basic credentials).");
      }
      const base = baseUrlOf(request, options.publicUrl);
      const audience = audienceOf(form['scope'], base);
      const tenantId = request.params.tenantId;
      const clientKey = `${tenantId}\u0000${clientId}`;
      const wait = Math.max(byClient.retryAfterSeconds(clientKey), byAddress.retryAfterSeconds(request.ip));
      if (wait > 0) {
        void reply.header('retry-after', String(wait));
        throw new CloudsyncError(
          'ERR_AUTH_TOO_MANY_ATTEMPTS',
          `Too many failed client authentications; retry after ${wait} seconds.`,
        );
      }
      // Bounded inputs before any store lookup or hashing work.
      const inBounds = tenantId.length <= MAX_TENANT_ID_LENGTH && clientId.length <= MAX_CLIENT_ID_LENGTH && clientSecret.length <= MAX_CLIENT_SECRET_LENGTH;
      const result = inBounds ? await options.credentials.verifyClientCredentials(tenantId, clientId, clientSecret) : null;
      if (result === null) {
        // An out-of-bounds id names no client, so it is not remembered as one: only its address is counted.
        if (inBounds) byClient.recordFailure(clientKey);
        byAddress.recordFailure(request.ip);
        throw new CloudsyncError('ERR_AUTH_INVALID_CLIENT', 'Client authentication failed: unknown tenant or client, or invalid client secret.');
      }
      const { token, expiresIn } = await issueAccessToken(await options.key(), {
        tenantId,
        clientId,
        roles: result.roles,
        audience,
        issuer: issuerFor(base, tenantId),
        now: options.clock(),
      });
      return reply
        .header('cache-control', 'no-store')
        .header('pragma', 'no-cache')
        .send({ token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token });
    },
  );
}
