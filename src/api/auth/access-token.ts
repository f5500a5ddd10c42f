/**
 * Access tokens: JWTs (RFC 7519) signed with the deployment's key, carrying what Entra puts in an app-only token
 * for Microsoft Graph: `tid`, `appid`/`azp` (the client id), `roles` (application permissions), `aud`, `iss`,
 * `iat`/`nbf`/`exp` (one hour), `jti`, `idtyp: "app"`.
 *
 * Verification accepts exactly the algorithm of the signing key (no `none`, no algorithm confusion), requires
 * every claim above, checks audience and issuer, and reports each failure as a CloudsyncError whose message
 * says what failed but never echoes the token.
 */
import { randomUUID } from 'node:crypto';
import { errors as joseErrors, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';
import { CloudsyncError } from '../../errors/index.ts';
import { isAppRole, type AppRole } from '../../directory/app-roles.ts';
import type { SigningKey } from '../../directory/cloud-directory.ts';

export const ACCESS_TOKEN_LIFETIME_SECONDS = 3600;
/** Tolerated clock skew between service nodes, as most JWT validators allow. */
export const CLOCK_TOLERANCE_SECONDS = 60;
/** The resource every Graph client asks for; tokens for it are accepted, as are tokens for our own URL. */
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';

/** Who is calling: the verified content of an access token. */
export interface Principal {
  readonly tenantId: string;
  readonly clientId: string;
  readonly roles: readonly AppRole[];
  readonly tokenId: string;
  /** `nbf` and `exp`, seconds since the epoch. */
  readonly notBefore: number;
  readonly expires: number;
}

export interface KeyPair {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

export async function importSigningKey(key: SigningKey): Promise<KeyPair> {
  const [privateKey, publicKey] = await Promise.all([
    importJWK(key.privateJwk as JWK, key.alg),
    importJWK(key.publicJwk as JWK, key.alg),
  ]);
  if (!(privateKey instanceof Object) || !(publicKey instanceof Object) || privateKey instanceof Uint8Array || publicKey instanceof Uint8Array) {
    throw new TypeError('signing key must be an asymmetric JWK pair');
  }
  return { kid: key.kid, alg: key.alg, privateKey, publicKey };
}

export function issuerFor(baseUrl: string, tenantId: string): string {
  return `${baseUrl}/${tenantId}/v2.0`;
}

export interface IssueInput {
  readonly tenantId: string;
  readonly clientId: string;
  readonly roles: readonly AppRole[];
  readonly audience: string;
  readonly issuer: string;
  readonly now: Date;
}

export async function issueAccessToken(key: KeyPair, input: IssueInput): Promise<{ token: string; expiresIn: number }> {
  const iat = Math.floor(input.now.getTime() / 1000);
  const token = await new SignJWT({
    tid: input.tenantId,
    appid: input.clientId,
    azp: input.clientId,
    roles: [...input.roles],
    idtyp: 'app',
    ver: '2.0',
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(input.issuer)
    .setAudience(input.audience)
    .setSubject(input.clientId)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + ACCESS_TOKEN_LIFETIME_SECONDS)
    .setJti(randomUUID())
    .sign(key.privateKey);
  return { token, expiresIn: ACCESS_TOKEN_LIFETIME_SECONDS };
}

export interface VerifyOptions {
  readonly audiences: readonly string[];
  /** The issuer a token of `tenantId` must carry. */
  readonly issuerFor: (tenantId: string) => string;
  readonly now: Date;
}

function invalid(message: string, cause?: unknown): CloudsyncError {
  return new CloudsyncError('ERR_AUTH_TOKEN_INVALID', message, cause === undefined ? {} : { cause });
}

export async function verifyAccessToken(token: string, key: KeyPair, options: VerifyOptions): Promise<Principal> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key.publicKey, {
      algorithms: [key.alg],
      audience: [...options.audiences],
      currentDate: options.now,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'nbf', 'iat', 'iss', 'aud', 'jti', 'tid', 'appid', 'roles'],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw new CloudsyncError('ERR_AUTH_TOKEN_EXPIRED', 'Lifetime validation failed, the token is expired.', { cause: error });
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      if (error.claim === 'aud') throw invalid('Invalid audience.', error);
      if (error.claim === 'nbf' || error.claim === 'iat') throw invalid('Lifetime validation failed, the token is not yet valid.', error);
      throw invalid(`Access token validation failure: the '${error.claim}' claim is missing or invalid.`, error);
    }
    if (error instanceof joseErrors.JOSEAlgNotAllowed) throw invalid('Access token validation failure: the signing algorithm is not accepted.', error);
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) throw invalid('Access token validation failure: invalid signature.', error);
    if (error instanceof joseErrors.JOSEError) throw invalid('Invalid JWT token: the access token is not well formed.', error);
    // A malformed token can make the decoder throw plain TypeErrors; it is still the caller's bad input.
    if (error instanceof TypeError) throw invalid('Invalid JWT token: the access token is not well formed.', error);
    throw error;
  }
  const { tid, appid, roles, iss, jti, nbf, exp } = payload;
  if (typeof tid !== 'string' || typeof appid !== 'string' || typeof jti !== 'string' || !Array.isArray(roles) || typeof nbf !== 'number' || typeof exp !== 'number') {
    throw invalid('Access token validation failure: tid, appid, jti and roles must be present.');
  }
  if (iss !== options.issuerFor(tid)) throw invalid('Access token validation failure: invalid issuer.');
  return Object.freeze({ tenantId: tid, clientId: appid, roles: Object.freeze(roles.filter(isAppRole)), tokenId: jti, notBefore: nbf, expires: exp });
}
