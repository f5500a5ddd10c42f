/**
 * How an agent proves who it is: a JWT (RFC 7519) signed with the Ed25519 key the agent generated when it
 * registered (RFC 8037 `EdDSA`), in the shape of RFC 7523 §3's client assertion:
 *
 *   header  {"alg":"EdDSA","kid":"<agent id>","typ":"JWT"}
 *   claims  {"iss":"<agent id>","sub":"<agent id>","aud":"urn:cloudsync:agent-channel","iat","exp","jti"}
 *
 * "The JWT MUST contain an 'exp' (expiration time) claim that limits the time window during which the JWT can be
 * used" (RFC 7523 §3): the service refuses assertions living longer than ASSERTION_MAX_LIFETIME_SECONDS. Only
 * EdDSA is accepted (no `none`, no algorithm taken from the token). The service keeps only the public key, so a
 * copy of the database cannot impersonate an agent.
 */
import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';
import { CloudsyncError } from '../errors/index.ts';
import { ASSERTION_AUDIENCE, ASSERTION_MAX_LIFETIME_SECONDS } from './channel-protocol.ts';

export const ASSERTION_ALGORITHM = 'EdDSA';
const CLOCK_TOLERANCE_SECONDS = 60;

export interface AgentKeyPair {
  readonly publicJwk: JWK;
  readonly privateJwk: JWK;
}

export async function generateAgentKeyPair(): Promise<AgentKeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(ASSERTION_ALGORITHM, { crv: 'Ed25519', extractable: true });
  return { publicJwk: await exportJWK(publicKey), privateJwk: await exportJWK(privateKey) };
}

/** Checks that a JWK received at registration is an Ed25519 public key and nothing else (no private part). */
export async function parseAgentPublicKey(value: unknown): Promise<JWK> {
  const jwk = value as Record<string, unknown> | null;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk) || jwk['kty'] !== 'OKP' || jwk['crv'] !== 'Ed25519' || typeof jwk['x'] !== 'string') {
    throw new CloudsyncError('ERR_AGENT_PROTOCOL', 'publicKey: expected an Ed25519 public JWK ({"kty":"OKP","crv":"Ed25519","x":…})', { path: 'publicKey' });
  }
  if ('d' in jwk) throw new CloudsyncError('ERR_AGENT_PROTOCOL', 'publicKey: holds a private key; send only the public part', { path: 'publicKey' });
  const publicJwk: JWK = { kty: 'OKP', crv: 'Ed25519', x: jwk['x'] };
  try {
    await importJWK(publicJwk, ASSERTION_ALGORITHM);
  } catch {
    throw new CloudsyncError('ERR_AGENT_PROTOCOL', 'publicKey: not a usable Ed25519 key', { path: 'publicKey' });
  }
  return publicJwk;
}

/** Signs assertions for one agent; reuses each for a minute so a poll loop does not sign on every call. */
export class AgentAssertionSigner {
  readonly #agentId: string;
  readonly #privateJwk: JWK;
  #key: CryptoKey | undefined;
  #current: { readonly token: string; readonly renewAt: number } | undefined;

  constructor(agentId: string, privateJwk: JWK) {
    this.#agentId = agentId;
    this.#privateJwk = privateJwk;
  }

  async assertion(now: number = Date.now()): Promise<string> {
    if (this.#current !== undefined && now < this.#current.renewAt) return this.#current.token;
    this.#key ??= (await importJWK(this.#privateJwk, ASSERTION_ALGORITHM)) as CryptoKey;
    const iat = Math.floor(now / 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: ASSERTION_ALGORITHM, kid: this.#agentId, typ: 'JWT' })
      .setIssuer(this.#agentId)
      .setSubject(this.#agentId)
      .setAudience(ASSERTION_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 180)
      .setJti(randomUUID())
      .sign(this.#key);
    this.#current = { token, renewAt: now + 60_000 };
    return token;
  }
}

/** The agent id an assertion claims (its `kid`), before anything is verified: only to find the key to verify with. */
export function claimedAgentId(token: string): string {
  try {
    const { kid, alg } = decodeProtectedHeader(token);
    if (alg !== ASSERTION_ALGORITHM || typeof kid !== 'string' || kid === '') throw new Error('alg/kid');
    return kid;
  } catch {
    throw new CloudsyncError('ERR_AGENT_ASSERTION_INVALID', `the agent assertion is not a JWT signed with ${ASSERTION_ALGORITHM} naming its agent in kid`);
  }
}

/** Verifies an assertion against the agent's registered public key; every failure says what failed, never echoes the token. */
export async function verifyAgentAssertion(token: string, agentId: string, publicJwk: JWK, now: Date): Promise<void> {
  let payload: { iat?: number; exp?: number };
  try {
    ({ payload } = await jwtVerify(token, await importJWK(publicJwk, ASSERTION_ALGORITHM), {
      algorithms: [ASSERTION_ALGORITHM],
      audience: ASSERTION_AUDIENCE,
      issuer: agentId,
      subject: agentId,
      requiredClaims: ['iat', 'exp', 'jti'],
      currentDate: now,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    }));
  } catch (error) {
    const reason = (error as { code?: string }).code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ? 'bad signature' : (error as Error).message;
    throw new CloudsyncError('ERR_AGENT_ASSERTION_INVALID', `the agent assertion of ${agentId} was refused: ${reason}`);
  }
  if (payload.exp! - payload.iat! > ASSERTION_MAX_LIFETIME_SECONDS) {
    throw new CloudsyncError('ERR_AGENT_ASSERTION_INVALID', `the agent assertion of ${agentId} lives longer than ${ASSERTION_MAX_LIFETIME_SECONDS} s`);
  }
}
