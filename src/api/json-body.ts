/**
 * The one request-body format of the Graph routes: JSON (RFC 8259), UTF-8, an object at the top.
 * A syntax error names the character position where parsing failed, taken from the parser's report, so the
 * caller can find it; the `__proto__`/`constructor.prototype` keys that could poison objects merged later are
 * refused outright (the same policy as Fastify's secure-json-parse with `protoAction: 'error'`).
 */
import { CloudsyncError } from '../errors/index.ts';

function positionOf(error: unknown, text: string): number | undefined {
  const message = error instanceof Error ? error.message : '';
  const at = /at position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  if (/end of JSON input/i.test(message)) return text.length;
  return undefined;
}

function refusePoisonKeys(value: unknown, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 64) return;
  if (Array.isArray(value)) {
    for (const item of value) refusePoisonKeys(item, depth + 1);
    return;
  }
  for (const key of Object.keys(value)) {
    if (key === '__proto__' || key === 'prototype') {
      throw new CloudsyncError('ERR_HTTP_BAD_REQUEST', `The property name '${key}' is not allowed in a request body.`, { path: key });
    }
    refusePoisonKeys((value as Record<string, unknown>)[key], depth + 1);
  }
}

/** An empty body is `undefined` (restore and $ref deletes take none); routes needing one say so. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const position = positionOf(error, text);
    const where = position === undefined ? '' : ` at position ${position}`;
    // V8's description ("Expected ',' or '}' after property value") says what was expected; keep only that part.
    const reason = error instanceof Error ? error.message.replace(/\s*in JSON at position.*$/s, '').replace(/,? ".*$/s, '').slice(0, 120) : '';
    throw new CloudsyncError('ERR_HTTP_BAD_REQUEST', `Unable to read JSON request payload: invalid JSON${where}${reason === '' ? '' : ` (${reason})`}. Please ensure the payload is valid JSON.`, {
      path: 'body',
      ...(position === undefined ? {} : { position }),
    });
  }
  if (text.includes('__proto__') || text.includes('prototype')) refusePoisonKeys(value);
  return value;
}

/** The body as a JSON object, or a 400 that says what arrived instead. */
export function requireObjectBody(body: unknown): Record<string, unknown> {
  if (body === null || body === undefined || typeof body !== 'object' || Array.isArray(body)) {
    const got = body === null ? 'null' : Array.isArray(body) ? 'an array' : body === undefined ? 'nothing' : `a ${typeof body}`;
    throw new CloudsyncError('ERR_HTTP_BAD_REQUEST', `The request body must be a JSON object; got ${got}.`, { path: 'body' });
  }
  return body as Record<string, unknown>;
}
