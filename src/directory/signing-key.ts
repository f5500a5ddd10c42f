/** A fresh ES256 key pair as JWKs for the deployment's token signing (persisted by the directory). */
import { createHash, generateKeyPairSync } from 'node:crypto';
import type { SigningKey } from './cloud-directory.ts';

export function generateSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = publicKey.export({ format: 'jwk' });
  // RFC 7638 thumbprint as kid: stable for the key, so every node derives the same kid from the stored JWK.
  const canonical = JSON.stringify({ crv: publicJwk.crv, kty: publicJwk.kty, x: publicJwk.x, y: publicJwk.y });
  const kid = createHash('sha256').update(canonical).digest('base64url');
  return {
    kid,
    alg: 'ES256',
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256' },
    publicJwk: { ...publicJwk, kid, alg: 'ES256' },
  };
}
