/**
 * The absolute base URL the caller used, for `@odata.context`, `@odata.nextLink` and the token issuer. A
 * configured public URL wins (behind a proxy the Host header is the proxy's business).
 */
import type { FastifyRequest } from 'fastify';

export function baseUrlOf(request: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl !== undefined) return publicUrl.replace(/\/+$/, '');
  return `${request.protocol}://${request.host}`;
}
