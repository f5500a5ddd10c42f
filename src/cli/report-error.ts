import { isCloudsyncError } from '../errors/index.ts';

/**
 * Turns anything thrown into the one line a user sees. A CloudsyncError says what and where; anything else
 * is a bug of ours, so the user gets a short apology and, only when they ask for it (CLOUDSYNC_DEBUG=1),
 * the stack — never by default, since stacks leak paths and internals into tickets and screenshots.
 */
export function describeError(error: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (isCloudsyncError(error)) {
    const where = [error.path, error.position === undefined ? undefined : `position ${error.position}`]
      .filter((part) => part !== undefined)
      .join(', ');
    return `error ${error.code}: ${error.message}${where === '' || error.message.includes(where) ? '' : ` (${where})`}`;
  }
  if (env['CLOUDSYNC_DEBUG'] === '1') return `internal error: ${(error as Error)?.stack ?? String(error)}`;
  return 'internal error: this is a bug in cloudsync; rerun with CLOUDSYNC_DEBUG=1 for details and report it';
}
