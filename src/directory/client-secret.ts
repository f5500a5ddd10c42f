/**
 * Client secrets: generated with 256 bits of entropy, stored only as scrypt(secret, per-secret salt), compared
 * in constant time. The secret itself is returned once, at creation, and never logged.
 */
import { randomBytes, scrypt, timingSafeEqual, type BinaryLike } from 'node:crypto';

const KEY_LENGTH = 32;
// N=2^14, r=8, p=1: OWASP's minimum for scrypt; ~16 MiB and tens of milliseconds per check, which the token
// endpoint (not every request) pays.
const SCRYPT_OPTIONS = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

function scryptAsync(secret: BinaryLike, salt: BinaryLike): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, SCRYPT_OPTIONS, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

export interface HashedSecret {
  readonly salt: string;
  readonly hash: string;
}

export async function hashClientSecret(secret: string): Promise<HashedSecret> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt);
  return { salt: salt.toString('base64'), hash: hash.toString('base64') };
}

export async function verifyClientSecret(secret: string, stored: HashedSecret): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await scryptAsync(secret, Buffer.from(stored.salt, 'base64'));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Spends the same work as a real check, so an unknown client id cannot be told from a wrong secret by timing. */
export async function burnVerification(secret: string): Promise<void> {
  await scryptAsync(secret, Buffer.alloc(16));
}
